// Statements with attachments over multipart/mixed through xapijs.
//
// Three work-arounds for xapijs 3.0.3 on node, each as small as it can be:
// - Sending uses the library's own "fetch" adapter: with the default axios adapter, axios
//   replaces the Content-Type of a Blob body with the Blob's type (here none, so
//   application/octet-stream), and the multipart/mixed request loses its boundary.
// - The library's multipart builder writes the next part's boundary line right after an
//   attachment's bytes, without the CRLF that RFC 2046 puts before every delimiter; with
//   more than one attachment the first part then swallows the second. Every attachment but
//   the last is handed to the library with that CRLF appended (its declared sha2 and length
//   stay those of the real content, as the library takes them from the statement).
// - Reading with attachments=true uses an adapter function (an xapijs extension point) that
//   keeps the response bytes: both library adapters decode the body as UTF-8 text, which
//   destroys binary parts. The raw body goes to the Python test, which checks the bytes. The
//   library's own multipart parser still reads the body, but it trims every part and keeps
//   only a part's last CRLF-separated line, so its view is compared for the statement and
//   the text attachment (LF line breaks, no surrounding whitespace) only.
import { args, arrayBuffer, client, outcome, print, sha256, tag, XAPI } from "./lib.mjs";
import { randomUUID } from "node:crypto";

const options = args();
const sender = client(options, "fetch");
const responses = [];
const reader = client(options, bytePreservingAdapter(responses));
const run = tag();
const actor = { objectType: "Agent", mbox: `mailto:dan-${run}@example.com` };
const activityId = `http://example.com/e2e/${run}/courses/welding`;
const CRLF = Buffer.from("\r\n");

const text = Buffer.from("Certificate of completion\nLearner: Dan\nCourse: Welding 101", "utf8");
// Every byte value, and the sequences a careless multipart reader trips over.
const binary = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from("\r\n--\r\n\r\n--boundary\r\n"),
  Buffer.from([0xff, 0xfe, 0x00, 0x0d]),
]);
const declared = (content, contentType, usageType, name) => ({
  usageType,
  display: { "en-US": name },
  contentType,
  length: content.length,
  sha2: sha256(content),
});
const attachments = [
  declared(text, "text/plain", XAPI.AttachmentUsages.CERTIFICATE_OF_COMPLETION, "certificate"),
  declared(binary, "application/octet-stream", XAPI.AttachmentUsages.SUPPORTING_MEDIA, "bytes"),
];
const statement = (id) => ({
  id,
  actor,
  verb: XAPI.Verbs.COMPLETED,
  object: { objectType: "Activity", id: activityId },
  attachments,
});

const result = {
  run,
  activityId,
  text: text.toString("base64"),
  binary: binary.toString("base64"),
  declared: attachments,
};

// As the library builds it: the missing CRLF corrupts the first attachment, and the LRS must
// refuse the statement rather than store wrong bytes.
result.unpaddedId = randomUUID();
result.unpadded = await outcome(
  sender.sendStatement({ statement: statement(result.unpaddedId), attachments: [arrayBuffer(text), arrayBuffer(binary)] }),
);
result.unpaddedRead = await outcome(sender.getStatement({ statementId: result.unpaddedId }));

// With the CRLF the library forgets.
result.sent = await outcome(
  sender.sendStatement({
    statement: statement(undefined),
    attachments: [arrayBuffer(Buffer.concat([text, CRLF])), arrayBuffer(binary)],
  }),
);
const id = result.sent.data?.[0];
result.id = id;

responses.length = 0;
result.read = await outcome(reader.getStatement({ statementId: id, attachments: true }));
result.readRaw = responses[0] ?? null;
responses.length = 0;
result.query = await outcome(reader.getStatements({ activity: activityId, attachments: true }));
result.queryRaw = responses[0] ?? null;
result.plain = await outcome(sender.getStatement({ statementId: id }));

// A batch whose two statements share the text attachment. The library wants one buffer per
// attachment object, so the text goes twice; a response carries each attachment once
// (Communication 2.1.3), however many of its statements declare it.
const batchActivity = `${activityId}/batch`;
const inBatch = (declaredAttachments) => ({
  actor,
  verb: XAPI.Verbs.COMPLETED,
  object: { objectType: "Activity", id: batchActivity },
  attachments: declaredAttachments,
});
result.batchActivityId = batchActivity;
result.batch = await outcome(
  sender.sendStatements({
    statements: [inBatch([attachments[0]]), inBatch(attachments)],
    attachments: [arrayBuffer(Buffer.concat([text, CRLF])), arrayBuffer(Buffer.concat([text, CRLF])), arrayBuffer(binary)],
  }),
);
responses.length = 0;
result.batchQuery = await outcome(reader.getStatements({ activity: batchActivity, attachments: true }));
result.batchQueryRaw = responses[0] ?? null;

print(result);

// An xapijs adapter function over fetch that records each response's raw bytes and hands the
// library a string with one character per byte (latin1), so no byte is lost before the
// library's multipart parser sees it.
function bytePreservingAdapter(log) {
  return async ({ url, method, data, headers }) => {
    const body = headers["Content-Type"] === "application/json" && data !== undefined ? JSON.stringify(data) : data;
    const response = await fetch(url, { method, body, headers });
    const raw = Buffer.from(await response.arrayBuffer());
    const responseHeaders = Object.fromEntries(response.headers.entries());
    log.push({ status: response.status, contentType: responseHeaders["content-type"] ?? null, body: raw.toString("base64") });
    const isJson = (responseHeaders["content-type"] ?? "").includes("json");
    const parsed = isJson ? JSON.parse(raw.toString("utf8")) : raw.toString("latin1");
    if (!response.ok) {
      throw Object.assign(new Error(`HTTP ${response.status}`), {
        response: { status: response.status, data: parsed, headers: responseHeaders },
      });
    }
    return { data: parsed, headers: responseHeaders, status: response.status };
  };
}
