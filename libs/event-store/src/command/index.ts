export {
  foldState,
  handleCommand,
  loadState,
  type CommandResult,
  type Decider,
  type DeciderEvent,
  type HandleCommandOptions,
  type LoadedState,
} from './handle-command.ts';
