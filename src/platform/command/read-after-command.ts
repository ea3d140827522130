/**
 * A mutation's answer, read from the read model once the pipeline has waited for it to hold the command's events. Not
 * finding it then is a fault of the service (an internal error), never the caller's NOT_FOUND. `what` names the missing
 * thing in the error, e.g. `group g-1`.
 */
export async function readAfterCommand<View>(find: () => Promise<View | null | undefined>, what: string): Promise<View> {
  const view = await find();
  if (view === null || view === undefined) throw new Error(`${what} is missing from the read model after its command`);
  return view;
}
