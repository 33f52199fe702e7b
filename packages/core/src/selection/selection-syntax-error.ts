import { CairnError } from '../errors.js';

/**
 * The CAIRN_SELECTION_SYNTAX error: says what was expected and what was found at a 1-based
 * column, and repeats the selection with a caret under that column so the mistake is visible
 * in a terminal or a log line.
 *
 * @param index 0-based offset into `selection` (its length for "end of the selection")
 */
export function selectionSyntaxError(
  selection: string,
  index: number,
  expected: string,
  found: string,
): CairnError {
  const column = index + 1;
  // Tabs and newlines would shift the caret, so show them as spaces.
  const shown = selection.replace(/\s/g, ' ');
  return new CairnError(
    'CAIRN_SELECTION_SYNTAX',
    `Invalid asset selection at column ${column}: expected ${expected}, found ${found}.\n  ${shown}\n  ${' '.repeat(index)}^`,
    { selection, column, expected, found },
  );
}
