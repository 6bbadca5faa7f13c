// A stand-in region inside a network namespace: serves the Lambda Invoke API on ADDRESS:PORT by running
// the handler in this process, so its probes leave from the namespace. ENTRY is the URL of the Lambda
// entry: lambda/index.ts (run this file with `node --import tsx`) or the bundle dist/lambda/index.js.
// The front stand-in (test/helpers/fake-lambda.ts) verifies signatures and forwards here. The time an
// invocation has left (Lambda's timeout) is 30 s, or the ms of a test's `x-test-remaining-ms` header.
import http from 'node:http';

const [address, port, entry] = process.argv.slice(2);
const { handler } = await import(entry);

const context = (functionName, remaining) => {
  const deadline = Date.now() + remaining;
  return {
    functionName,
    awsRequestId: 'standin-request',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
};

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const match = /^\/2015-03-31\/functions\/([^/?]+)\/invocations/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  const result = await handler(
    JSON.parse(Buffer.concat(chunks).toString('utf8')),
    context(match[1], Number(req.headers['x-test-remaining-ms'] ?? 30_000)),
  );
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
});
server.listen(Number(port), address, () => console.log(`standin listening on ${address}:${port}`));
