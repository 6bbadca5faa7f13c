// Runs as a child process on the Lambda runtime's Node (test/toolchain/bundles-on-runtimes.test.ts forks
// it with that binary): loads the bundle as Lambda does (index.handler of dist/lambda), invokes it directly
// with the event in argv[2], and sends back the answer with the Node version that produced it.
const { handler } = await import(new URL('../../dist/lambda/index.js', import.meta.url).href);

const deadline = Date.now() + 30_000;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'smtp-port-probe',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smtp-port-probe',
  memoryLimitInMB: '256',
  awsRequestId: 'runtime-check',
  logGroupName: '/aws/lambda/smtp-port-probe',
  logStreamName: 'runtime-check',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

const answer = await handler(JSON.parse(process.argv[2] ?? '{}'), context);
process.send?.({ node: process.versions.node, answer }, () => process.disconnect());
