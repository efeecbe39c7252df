import { proxyToApi } from '../../../lib/api-proxy';

// Every method the API uses goes through the same forwarder; see lib/api-proxy.ts for why.
const handler = (request: Request): Promise<Response> => proxyToApi(request);

export const GET = handler;
export const HEAD = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
export const OPTIONS = handler;
