/**
 * The line (1-based) of the first marker of a git merge conflict left in `text`: a line starting with
 * `<<<<<<<` or `>>>>>>>`, when both are present. Undefined when there is none.
 */
export function conflictLine(text: string): number | undefined {
  const marker = /^(<{7}|>{7})(?: |$)/m.exec(text);
  return marker && /^<{7}(?: |$)/m.test(text) && /^>{7}(?: |$)/m.test(text) ? text.slice(0, marker.index).split('\n').length : undefined;
}
