export {
  foldState,
  handleCommand,
  type CommandResult,
  type Decider,
  type DeciderEvent,
  type HandleCommandOptions,
} from './handle-command.ts';
