/** How a response's body is read: HTML, plain text, or (null) not at all. */
export function classifyContentType(header: string | null): 'html' | 'text' | null {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/plain' || type === 'text/markdown') return 'text';
  return null;
}
