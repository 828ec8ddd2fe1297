/** `…/hash/<md5>-Abstract-Conference.html` → `…/file/<md5>-Paper-Conference.pdf`, the site's naming rule. */
export function pdfUrlFromAbstractUrl(abstractUrl: string): string {
  return abstractUrl
    .replace('/hash/', '/file/')
    .replace('-Abstract', '-Paper')
    .replace(/\.html$/, '.pdf');
}
