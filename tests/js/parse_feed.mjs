// Prints what podcast-partytime (the Podcast Index's feed parser) reads from a feed file, as
// JSON: `node parse_feed.mjs FEED.xml`. tests/test_feed.py runs it; exit 1 when it parses nothing.
import { readFileSync } from "node:fs";
import { parseFeed } from "podcast-partytime";

const parsed = parseFeed(readFileSync(process.argv[2], "utf8"));
if (!parsed) {
  console.error(`podcast-partytime could not parse ${process.argv[2]}`);
  process.exit(1);
}
process.stdout.write(JSON.stringify(parsed, null, 2) + "\n");
