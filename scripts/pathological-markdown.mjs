// Legal markdown that is as expensive as we know how to make it for markdown-it, by construct (profiled
// for issue 21, docs/route-budgets.md): nested image brackets (the most CPU per byte), very wide tables
// (the most HTML per byte), unclosed emphasis and link brackets, autolink starts, deep block quotes and
// lists, and heading runs. Used by the route-budget tests and `npm run bench:pages`.

const BLOCKS = [
  "![".repeat(2000) + "\n\n",
  "|" + "a|".repeat(2000) + "\n|" + "-|".repeat(2000) + "\n" + ("|x".repeat(2000) + "\n").repeat(4) + "\n",
  "*a _b ".repeat(1000) + "\n\n",
  "[".repeat(4000) + "\n\n",
  "<http://a".repeat(500) + "\n\n",
  ">".repeat(300) + " deep\n\n",
  Array.from({ length: 60 }, (_, i) => " ".repeat(i * 2) + "- item\n").join("") + "\n",
  "# h\n".repeat(500) + "\n",
];

/** About `chars` characters of the blocks above, in turn. */
export function pathologicalMarkdown(chars) {
  const parts = ["# A pathological README\n\n"];
  let size = parts[0].length;
  for (let i = 0; size < chars; i++) {
    const block = BLOCKS[i % BLOCKS.length];
    parts.push(block);
    size += block.length;
  }
  return parts.join("").slice(0, chars);
}
