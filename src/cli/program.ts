/** The command line's shape through commander: the four subcommands, `--help`, `--version`, and subcommand typos. */
import { Command, CommanderError } from 'commander';
import type { TrainerFn } from '../core/hooks.js';
import { VERSION } from '../version.js';
import { ConfigError } from './errors.js';
import { didYouMean } from './suggest.js';

/** The subcommands, like LightningCLI's. */
export const SUBCOMMANDS: readonly TrainerFn[] = ['fit', 'validate', 'test', 'predict'];

const DESCRIPTIONS: Record<TrainerFn, string> = {
  fit: 'train the model (validating as configured)',
  validate: 'run one validation epoch',
  test: 'run the test set',
  predict: 'run predictions',
};

const OPTIONS_HELP = `
Config options (applied in order; later ones win):
  -c, --config <file>           YAML config; repeat to merge several files in order
  --<section>.<key> <value>     override any value: --trainer.maxEpochs 5, --model.initArgs.lr 0.01,
                                --data.initArgs.batchSize=128 (values are YAML: 5, true, null, [1, 2])
  --print_config                print the merged config with its defaults as YAML, and exit
  --ckpt_path <path>            checkpoint to resume from (fit) or to evaluate
  --seed_everything <seed>      true (a random seed, the default), false, or an integer

Sections: seedEverything, trainer, model, data, optimizer, lrScheduler, ckptPath.
Classes: { classPath: "./file.ts#ExportName" | "lightning-ts#Name", initArgs: {...} }.`;

/** Where commander writes help and errors. */
export interface ProgramOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The outcome of reading the command line: a subcommand and its remaining tokens, or help/version was shown. */
export type ProgramResult = { kind: 'run'; subcommand: TrainerFn; tokens: string[] } | { kind: 'exit'; code: number };

/** Select the subcommand with commander (which also prints `--help` and `--version`). */
export async function readCommandLine(argv: readonly string[], output: ProgramOutput, name = 'lightning-ts'): Promise<ProgramResult> {
  let result: ProgramResult | undefined;
  const program = new Command(name)
    .description('Train, validate, test and predict with a LightningModule configured from YAML files and flags.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr, outputError: () => {} });
  for (const subcommand of SUBCOMMANDS) {
    program
      .command(subcommand)
      .description(DESCRIPTIONS[subcommand])
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText('after', OPTIONS_HELP)
      .action((_options: unknown, command: Command) => {
        result = { kind: 'run', subcommand, tokens: [...command.args] };
      });
  }
  const first = argv[0];
  if (first === undefined || (first.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(first))) {
    throw ConfigError.at('<subcommand>', 'missing subcommand', `Start with one of: ${SUBCOMMANDS.join(', ')} (e.g. ${name} fit --config config.yaml).`);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.unknownCommand') {
      const hint = didYouMean(first, SUBCOMMANDS) ?? `Use one of: ${SUBCOMMANDS.join(', ')}.`;
      throw ConfigError.at('<subcommand>', `unknown subcommand "${first}"`, hint);
    }
    return { kind: 'exit', code: error.exitCode };
  }
  return result ?? { kind: 'exit', code: 0 };
}
