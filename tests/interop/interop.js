'use strict'
// Interop of tandem's peer wire with an independent Noise implementation, the npm package
// noise-handshake@4.2.0 (Holepunch), on loopback:
//   1. noise-handshake initiator -> tandem's Listener: Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b,
//      space key as psk0, prologue "tandem/peer/v1", then transport messages both ways (2-byte
//      big-endian length framing), including one 65519-byte message each way;
//   2. the same listener refuses a wrong PSK on message 1 and sends back zero bytes;
//   3. tandem's connect() -> noise-handshake responder, messages both ways;
//   4. tandem's connect() with a wrong PSK: noise-handshake fails to read message 1;
//   5. plain Noise_XX (pairing, prologue "tandem/pair/v1"), noise-handshake initiator -> tandem.
// Usage: node interop.js /path/to/tandem-wire-peer. Exit 0 pass, 1 fail, 77 skipped.

const { spawn } = require('child_process')
const net = require('net')
const readline = require('readline')

let Noise, Cipher, curve
try {
  Noise = require('noise-handshake')
  Cipher = require('noise-handshake/cipher')
  curve = require('noise-handshake/dh')
} catch (e) {
  console.log('SKIP: noise-handshake is not installed; run npm ci --prefix tests/interop')
  process.exit(77)
}

const peerBinary = process.argv[2]
if (!peerBinary) {
  console.error('usage: node interop.js /path/to/tandem-wire-peer')
  process.exit(2)
}

const hex = (b) => Buffer.from(b).toString('hex')
const fill = (start) => Buffer.from(Array.from({ length: 32 }, (_, i) => (start + i * 13) & 0xff))

const TANDEM_SECRET = fill(0x11)
const NODE_SECRET = fill(0x42)
const PSK = fill(0x77)
const WRONG_PSK = fill(0x78)
const PEER_PROLOGUE = Buffer.from('tandem/peer/v1')
const PAIR_PROLOGUE = Buffer.from('tandem/pair/v1')
const MAX_MESSAGE = 65535 - 16
const COUNT = 3

const nodeKeys = curve.generateKeyPair(Buffer.from(NODE_SECRET)) // public = X25519(secret, 9)
let failures = 0
function check (cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`)
  if (!cond) failures++
}

function bigMessage () {
  const b = Buffer.alloc(MAX_MESSAGE)
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + 3) & 0xff
  return b
}

// A socket wrapper that reads whole frames (2-byte big-endian length, then the bytes).
class Framed {
  constructor (socket) {
    this.socket = socket
    this.buffer = Buffer.alloc(0)
    this.received = 0
    this.closed = false
    this.waiters = []
    socket.on('data', (d) => {
      this.received += d.length
      this.buffer = Buffer.concat([this.buffer, d])
      this._wake()
    })
    socket.on('close', () => { this.closed = true; this._wake() })
    socket.on('error', () => { this.closed = true; this._wake() })
  }

  _wake () { const w = this.waiters; this.waiters = []; w.forEach((f) => f()) }

  async readFrame (timeoutMs = 5000) {
    const until = Date.now() + timeoutMs
    for (;;) {
      if (this.buffer.length >= 2) {
        const n = this.buffer.readUInt16BE(0)
        if (this.buffer.length >= 2 + n) {
          const frame = this.buffer.subarray(2, 2 + n)
          this.buffer = this.buffer.subarray(2 + n)
          return frame
        }
      }
      if (this.closed) throw new Error('connection closed')
      if (Date.now() > until) throw new Error('timed out waiting for a frame')
      await new Promise((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  async waitClosed (timeoutMs = 5000) {
    const until = Date.now() + timeoutMs
    while (!this.closed && Date.now() < until) {
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50) })
    }
    return this.closed
  }

  write (payload) {
    const header = Buffer.alloc(2)
    header.writeUInt16BE(payload.length)
    this.socket.write(Buffer.concat([header, payload]))
  }
}

function connectTo (port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.on('error', reject)
  })
}

// Starts tandem-wire-peer; resolves lines as they come.
function startPeer (args) {
  const child = spawn(peerBinary, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = []
  let waiters = []
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(`     tandem: ${line}`)
    lines.push(line)
    const w = waiters; waiters = []; w.forEach((f) => f())
  })
  const exited = new Promise((resolve) => child.on('exit', (code) => {
    const w = waiters; waiters = []; w.forEach((f) => f())
    resolve(code)
  }))
  async function waitLine (prefix, timeoutMs = 10000) {
    const until = Date.now() + timeoutMs
    for (;;) {
      const l = lines.find((x) => x.startsWith(prefix))
      if (l) return l
      if (Date.now() > until) throw new Error(`tandem-wire-peer never printed ${prefix}`)
      await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 50) })
    }
  }
  return { child, lines, exited, waitLine }
}

function tandemArgs (mode, extra) {
  return [mode, '--static', hex(TANDEM_SECRET), '--expect', hex(nodeKeys.publicKey),
    '--count', String(COUNT), '--big', ...extra]
}

// After a handshake: send COUNT texts and the big one, receive tandem's, check them all.
async function exchange (framed, noise, label) {
  // noise-handshake calls the key for sending `tx` on both sides (its README says the opposite).
  const send = new Cipher(noise.tx)
  const recv = new Cipher(noise.rx)
  for (let i = 0; i < COUNT; i++) framed.write(send.encrypt(Buffer.from(`node says ${i}`)))
  framed.write(send.encrypt(bigMessage()))
  const got = []
  for (let i = 0; i < COUNT + 1; i++) got.push(recv.decrypt(await framed.readFrame()))
  for (let i = 0; i < COUNT; i++) {
    check(got[i].toString() === `tandem says ${i}`, `${label}: tandem's message ${i} decrypts`)
  }
  check(got[COUNT].length === MAX_MESSAGE && got[COUNT].equals(bigMessage()),
    `${label}: tandem's 65519-byte message decrypts`)
}

async function nodeInitiator (port, { psk, pattern = 'XXpsk0', prologue = PEER_PROLOGUE }) {
  const socket = await connectTo(port)
  const framed = new Framed(socket)
  const noise = new Noise(pattern, true, nodeKeys, psk ? { psk } : {})
  const expected = `Noise_${pattern}_25519_ChaChaPoly_BLAKE2b`
  check(noise.protocol.toString() === expected, `noise-handshake runs ${expected}`)
  noise.initialise(prologue)
  framed.write(noise.send())
  return { socket, framed, noise }
}

async function caseInitiatorAgainstListener () {
  const label = 'node initiator -> tandem listener (XXpsk0)'
  const peer = startPeer(tandemArgs('listen', ['--psk', hex(PSK), '--outcomes', '2']))
  const port = Number((await peer.waitLine('LISTENING ')).split(' ')[1])
  const tandemPub = (await peer.waitLine('SELF ')).split(' ')[1]

  const { socket, framed, noise } = await nodeInitiator(port, { psk: PSK })
  noise.recv(await framed.readFrame())
  check(hex(noise.rs) === tandemPub, `${label}: responder's static key is tandem's`)
  framed.write(noise.send())
  check(noise.complete, `${label}: handshake complete`)
  await exchange(framed, noise, label)
  const tandemHash = (await peer.waitLine('HASH ')).split(' ')[1]
  check(hex(noise.hash) === tandemHash, `${label}: handshake hashes agree`)
  await peer.waitLine(`RECV ${MAX_MESSAGE} `) // tandem prints what it got after sending its own
  check(peer.lines.includes(`PEER ${hex(nodeKeys.publicKey)}`), `${label}: tandem saw node's static key`)
  const recvs = peer.lines.filter((l) => l.startsWith('RECV '))
  check(recvs.length === COUNT + 1 && recvs[0] === 'RECV 11 node says 0' &&
    recvs[COUNT] === `RECV ${MAX_MESSAGE} big ok`, `${label}: tandem decrypted node's messages`)

  // The same listener, a stranger with the wrong PSK: nothing comes back.
  const wrong = await nodeInitiator(port, { psk: WRONG_PSK })
  const closed = await wrong.framed.waitClosed(4000)
  check(closed && wrong.framed.received === 0,
    'wrong PSK -> tandem listener: closed on message 1 with zero bytes sent back')
  socket.end()
  const code = await peer.exited
  check(code === 0, `${label}: tandem-wire-peer exited 0`)
  const stats = peer.lines.find((l) => l.startsWith('STATS ')) || ''
  check(stats.includes('established=1') && stats.includes('refused_psk=1'),
    'tandem listener counted one channel and one wrong-PSK refusal')
  check(peer.lines.some((l) => l.startsWith('LOG ') && l.includes('wrong space key')),
    'tandem listener logged the refusal (rate-limited)')
}

function listenOnce (handler) {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => handler(socket, server))
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

async function caseResponderAgainstConnect () {
  const label = 'tandem connect -> node responder (XXpsk0)'
  let done
  const finished = new Promise((resolve) => { done = resolve })
  const server = await listenOnce(async (socket, srv) => {
    srv.close()
    const framed = new Framed(socket)
    try {
      const noise = new Noise('XXpsk0', false, nodeKeys, { psk: PSK })
      noise.initialise(PEER_PROLOGUE)
      noise.recv(await framed.readFrame())
      framed.write(noise.send())
      noise.recv(await framed.readFrame())
      check(noise.complete, `${label}: handshake complete`)
      await exchange(framed, noise, label)
      done(noise)
    } catch (e) {
      check(false, `${label}: ${e.message}`)
      done(null)
    }
  })
  const port = server.address().port
  const peer = startPeer(tandemArgs('connect', ['--psk', hex(PSK), '--addr', `127.0.0.1:${port}`]))
  const noise = await finished
  const code = await peer.exited
  check(code === 0, `${label}: tandem-wire-peer exited 0`)
  const tandemPub = (await peer.waitLine('SELF ')).split(' ')[1]
  if (noise) {
    check(hex(noise.rs) === tandemPub, `${label}: initiator's static key is tandem's`)
    check(peer.lines.includes(`HASH ${hex(noise.hash)}`), `${label}: handshake hashes agree`)
  }
  const recvs = peer.lines.filter((l) => l.startsWith('RECV '))
  check(recvs.length === COUNT + 1 && recvs[COUNT] === `RECV ${MAX_MESSAGE} big ok`,
    `${label}: tandem decrypted node's messages`)
}

async function caseWrongPskAgainstNodeResponder () {
  const label = 'tandem connect with a wrong PSK -> node responder'
  let done
  const finished = new Promise((resolve) => { done = resolve })
  const server = await listenOnce(async (socket, srv) => {
    srv.close()
    const framed = new Framed(socket)
    const noise = new Noise('XXpsk0', false, nodeKeys, { psk: PSK })
    noise.initialise(PEER_PROLOGUE)
    const m1 = await framed.readFrame()
    let refused = false
    try { noise.recv(m1) } catch (e) { refused = true }
    socket.destroy()
    done(refused)
  })
  const port = server.address().port
  const peer = startPeer(tandemArgs('connect', ['--psk', hex(WRONG_PSK), '--addr', `127.0.0.1:${port}`]))
  check(await finished, `${label}: noise-handshake refuses message 1`)
  const code = await peer.exited
  check(code === 3 && peer.lines.some((l) => l.startsWith('FAILED io')),
    `${label}: tandem's connect() fails`)
}

async function casePairing () {
  const label = 'node initiator -> tandem listener (plain XX, pairing)'
  const peer = startPeer(tandemArgs('listen', ['--psk', 'none', '--outcomes', '1']))
  const port = Number((await peer.waitLine('LISTENING ')).split(' ')[1])
  const { socket, framed, noise } = await nodeInitiator(port, { pattern: 'XX', prologue: PAIR_PROLOGUE })
  noise.recv(await framed.readFrame())
  framed.write(noise.send())
  check(noise.complete, `${label}: handshake complete`)
  await exchange(framed, noise, label)
  check(peer.lines.includes(`HASH ${hex(noise.hash)}`) ||
    (await peer.waitLine('HASH ')) === `HASH ${hex(noise.hash)}`, `${label}: handshake hashes agree`)
  socket.end()
  check((await peer.exited) === 0, `${label}: tandem-wire-peer exited 0`)
}

async function main () {
  const cases = [caseInitiatorAgainstListener, caseResponderAgainstConnect,
    caseWrongPskAgainstNodeResponder, casePairing]
  for (const c of cases) {
    try {
      await c()
    } catch (e) {
      check(false, `${c.name}: ${e.stack}`)
    }
  }
  console.log(failures === 0 ? 'interop: all passed' : `interop: ${failures} failed`)
  process.exit(failures === 0 ? 0 : 1)
}

main()
