import { Readability } from '@mozilla/readability';
import { compile, type FormatCallback } from 'html-to-text';
import { parseHTML } from 'linkedom';

export interface HtmlPage {
  title: string;
  text: string;
  /** Absolute http(s) links of the whole page (before extraction drops navigation). */
  links: string[];
}

/** Headings as Markdown headings, so the chunker keeps the page's sections. */
const markdownHeading: FormatCallback = (elem, walk, builder, options) => {
  const level = Number(/^h([1-6])$/i.exec(elem.name ?? '')?.[1] ?? 2);
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addInline(`${'#'.repeat(level)} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
  void options;
};

const toText = compile({
  wordwrap: false,
  formatters: { markdownHeading },
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, format: 'markdownHeading' })),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...['nav', 'header', 'footer', 'script', 'style', 'noscript', 'form', 'aside'].map((selector) => ({ selector, format: 'skip' })),
  ],
});

/**
 * A page's main content as text, found by Readability (Firefox's reader view); a page it
 * does not take for an article is converted whole, without navigation, headers and footers.
 */
export function readHtml(html: string, url: string): HtmlPage {
  const { document } = parseHTML(html);
  const links = collectLinks(document, url);
  const fallbackTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  let article: { title?: string | null; content?: string | null } | null = null;
  try {
    article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  const text = (article?.content ? toText(article.content) : toText(html)).trim();
  return { title: (article?.title || fallbackTitle).trim(), text, links };
}

function collectLinks(document: { querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }>; querySelector(selector: string): { getAttribute(name: string): string | null } | null }, url: string): string[] {
  let base = url;
  const declared = document.querySelector('base[href]')?.getAttribute('href');
  if (declared) {
    try {
      base = new URL(declared, url).href;
    } catch {
      // An unusable <base> leaves links relative to the page.
    }
  }
  const links: string[] = [];
  for (const anchor of document.querySelectorAll('a[href]')) {
    const href = anchor.getAttribute('href');
    if (!href) continue;
    try {
      const link = new URL(href, base);
      if (link.protocol === 'http:' || link.protocol === 'https:') links.push(link.href);
    } catch {
      // Not a URL: nothing to follow.
    }
  }
  return links;
}
