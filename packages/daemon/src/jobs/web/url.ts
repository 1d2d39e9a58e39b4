/**
 * The form a URL is de-duplicated and stored in: http(s) only, no fragment, no credentials
 * (WHATWG parsing already lower-cases the host, drops default ports and resolves dot segments).
 */
export function normalizeUrl(href: string, base?: string): string | null {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  return url.href;
}
