#!/usr/bin/env node
// An example tandem frontend in Node.js that speaks Cap'n Proto to tandemd.
//
// It compiles tandem's schemas (proto/api.capnp and the files it imports) with capnp-es at start,
// connects to tandemd's Unix socket, sends a `status` and a `list` request as Cap'n Proto
// messages in the standard stream framing (segment table, then segments), and prints the
// answers. Nothing here is private to tandem: it uses only the documented socket protocol.
//
//   npm ci                      # capnp-es and typescript (the schema compiler uses it)
//   node frontend.mjs [--socket PATH] [--proto DIR] [--limit N]
//
// Needs the `capnp` tool (Debian: capnproto). Exit codes follow the tandem CLI's:
// 0 ok, 1 the daemon answered with an error, 2 usage error, 3 daemon unreachable, 4 protocol error.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as capnp from "capnp-es";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));

function usage(message) {
  process.stderr.write(`frontend: ${message}\nusage: frontend.mjs [--socket PATH] [--proto DIR] [--limit N]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { socket: "", proto: "", limit: 20 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${argv[i]} needs a value`));
    if (argv[i] === "--socket") opts.socket = value();
    else if (argv[i] === "--proto") opts.proto = value();
    else if (argv[i] === "--limit") opts.limit = Number(value());
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(opts.limit) || opts.limit < 1) usage("--limit must be a positive integer");
  return opts;
}

// The same default as the tandem CLI: $TANDEM_SOCKET, $XDG_RUNTIME_DIR/tandem/tandemd.sock,
// /tmp/tandem-$UID/tandemd.sock.
function defaultSocket() {
  if (process.env.TANDEM_SOCKET) return process.env.TANDEM_SOCKET;
  if (process.env.XDG_RUNTIME_DIR) return join(process.env.XDG_RUNTIME_DIR, "tandem", "tandemd.sock");
  return `/tmp/tandem-${process.getuid()}/tandemd.sock`;
}

// The schemas: from the source tree, else where the Debian package installs them.
function protoDir(given) {
  for (const dir of [given, join(here, "../../../proto"), join(here, "../../proto"),
    "/usr/share/doc/tandem/proto"]) {
    if (dir && existsSync(join(dir, "api.capnp"))) return dir;
  }
  usage("cannot find api.capnp; give --proto DIR");
}

// Compiles api.capnp and its imports to JavaScript in a temporary directory and imports it.
// capnp-es 0.0.16 has no generated module for capnp/compat/json.capnp, so the $Json
// annotations (which only shape tandemd's JSON-lines form, never the binary encoding) are
// removed from the copies first. Type checking is skipped: each file is transpiled alone.
async function loadSchema(dir) {
  const out = mkdtempSync(join(tmpdir(), "tandem-frontend-"));
  try {
    const files = ["api", "entry", "report"];
    for (const f of files) {
      const text = readFileSync(join(dir, `${f}.capnp`), "utf8")
        .replace(/^using Json = import .*$/m, "")
        .replace(/ \$Json\.\w+(\(\))?/g, "");
      writeFileSync(join(out, `${f}.capnp`), text);
    }
    const compiler = join(here, "node_modules/capnp-es/dist/compiler/capnpc-ts.mjs");
    const r = spawnSync(process.execPath, [compiler, `-ots:${out}`, `--src-prefix=${out}`,
      ...files.map((f) => join(out, `${f}.capnp`))], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`capnp-es failed: ${r.stderr || r.stdout}`);
    const runtime = import.meta.resolve("capnp-es");
    for (const f of files) {
      const source = readFileSync(join(out, `${f}.ts`), "utf8");
      const js = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText.replaceAll('from "capnp-es"', `from "${runtime}"`);
      writeFileSync(join(out, `${f}.mjs`), js.replaceAll(/from "\.\/(\w+)\.js"/g, 'from "./$1.mjs"'));
    }
    return await import(pathToFileURL(join(out, "api.mjs")).href);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// One connection: writes framed messages, yields framed responses as they complete.
class Connection {
  constructor(path) {
    this.path = path;
    this.buffer = Buffer.alloc(0);
    this.waiters = [];
  }

  open() {
    return new Promise((resolve, reject) => {
      this.socket = createConnection(this.path, () => resolve());
      this.socket.once("error", reject);
      this.socket.on("data", (chunk) => {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        this.#deliver();
      });
      this.socket.on("close", () => this.waiters.splice(0).forEach((w) => w.reject(new Error("closed"))));
    });
  }

  send(message) {
    this.socket.write(Buffer.from(message.toArrayBuffer()));
  }

  // The next complete message, as a capnp.Message (unpacked stream framing).
  next() {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.#deliver();
    });
  }

  // Standard framing: u32 segment count - 1, u32 size in words per segment, padding to 8 bytes,
  // then the segments.
  #deliver() {
    while (this.waiters.length && this.buffer.length >= 4) {
      const count = this.buffer.readUInt32LE(0) + 1;
      if (count > 512) throw new Error("protocol error: too many segments");
      const header = 4 * (count + 1) + ((count % 2 === 0) ? 4 : 0);
      if (this.buffer.length < header) return;
      let words = 0;
      for (let i = 0; i < count; i++) words += this.buffer.readUInt32LE(4 + 4 * i);
      const total = header + 8 * words;
      if (this.buffer.length < total) return;
      const bytes = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
      this.waiters.shift().resolve(new capnp.Message(copy, false));
    }
  }

  close() {
    this.socket.end();
  }
}

const enumName = (table, value) =>
  (Object.entries(table).find(([, v]) => v === value)?.[0] ?? String(value)).toLowerCase();

function errorOf(api, response) {
  const e = response.error;
  return `${enumName(api.ErrorCode, e.code)}: ${e.message}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const api = await loadSchema(protoDir(opts.proto));
  const conn = new Connection(opts.socket || defaultSocket());
  try {
    await conn.open();
  } catch (e) {
    process.stderr.write(`frontend: tandemd is not running (${e.message})\n`);
    return 3;
  }
  try {
    // status
    let message = new capnp.Message();
    let request = message.initRoot(api.Request);
    request.id = 1;
    request._initStatus();
    conn.send(message);
    let response = (await conn.next()).getRoot(api.Response);
    if (response.id !== 1) throw new Error(`response id ${response.id}, expected 1`);
    if (response.which() === api.Response.ERROR) {
      process.stderr.write(`frontend: ${errorOf(api, response)}\n`);
      return 1;
    }
    const s = response.status;
    console.log(`status: apiVersion ${s.apiVersion} version ${s.version} initialized ${s.initialized}` +
      ` member ${s.memberName || "-"} partner ${s.partnerName || "-"} entries ${s.entries}`);

    // list
    message = new capnp.Message();
    request = message.initRoot(api.Request);
    request.id = 2;
    request._initList().limit = opts.limit;
    conn.send(message);
    response = (await conn.next()).getRoot(api.Response);
    if (response.id !== 2) throw new Error(`response id ${response.id}, expected 2`);
    if (response.which() === api.Response.ERROR) {
      process.stderr.write(`frontend: ${errorOf(api, response)}\n`);
      return 1;
    }
    const entries = response.list.entries;
    console.log(`list: ${entries.length} entries`);
    for (let i = 0; i < entries.length; i++) {
      const v = entries.get(i);
      console.log(`entry ${v.id} ${enumName(api.EntryKind, v.kind)} ${v.entry.date}` +
        ` by ${v.authorName}: ${v.entry.note}`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`frontend: protocol error: ${e.message}\n`);
    return 4;
  } finally {
    conn.close();
  }
}

process.exitCode = await main();
