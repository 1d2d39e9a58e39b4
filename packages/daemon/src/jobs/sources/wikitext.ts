import wtf from 'wtf_wikipedia';

/**
 * Wikitext as readable plain text: templates, references, tables, files and markup gone,
 * section headings kept as Markdown headings, so the chunker follows the article's sections.
 */
export function wikitextToText(wikitext: string): string {
  const parts: string[] = [];
  for (const section of wtf(wikitext).sections()) {
    const text = section.text({}).trim();
    if (text === '') continue;
    const title = section.title().trim();
    parts.push(title ? `${'#'.repeat(Math.min(section.depth() + 2, 6))} ${title}\n\n${text}` : text);
  }
  return parts.join('\n\n');
}
