/** A tiny strict XML parser for the tests (elements, attributes, text, the five entities). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  if (/[<]/.test(s)) throw new Error(`raw "<" in text: ${s.slice(0, 40)}`);
  return s.replace(/&([a-z]+);|&/g, (m, name: string | undefined) => {
    if (name === undefined || ENTITIES[name] === undefined) throw new Error(`bad entity near ${m}`);
    return ENTITIES[name]!;
  });
}

/** Parses a document; throws on anything malformed (unclosed tags, raw `&` or `<`, bad quotes). */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const ws = () => {
    while (/\s/.test(s[i] ?? '')) i++;
  };
  const element = (): XmlElement => {
    if (s[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const name = /^[A-Za-z_][\w.-]*/.exec(s.slice(i))?.[0];
    if (name === undefined) throw new Error(`bad tag name at ${i}`);
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      ws();
      if (s.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (s[i] === '>') {
        i++;
        break;
      }
      const m = /^([A-Za-z_][\w.-]*)="([^"]*)"/.exec(s.slice(i));
      if (m === null) throw new Error(`bad attribute at ${i}: ${s.slice(i, i + 30)}`);
      if (m[1]! in el.attrs) throw new Error(`duplicate attribute ${m[1]}`);
      el.attrs[m[1]!] = decode(m[2]!);
      i += m[0].length;
    }
    for (;;) {
      const lt = s.indexOf('<', i);
      if (lt < 0) throw new Error(`unclosed <${name}>`);
      el.text += decode(s.slice(i, lt));
      i = lt;
      if (s.startsWith(`</${name}>`, i)) {
        i += name.length + 3;
        return el;
      }
      if (s.startsWith('</', i)) throw new Error(`mismatched close tag at ${i}`);
      el.children.push(element());
    }
  };
  const root = element();
  ws();
  if (i !== s.length) throw new Error(`content after the root element at ${i}`);
  return root;
}
