// Slack's mrkdwn, rendered as DOM nodes (never innerHTML, so no text can become markup).
//
// Handles what Slack's client shows: *bold*, _italic_, ~strike~, `code`, ```blocks```,
// "> quotes", <links|labels>, <@U…> / <#C…> / <!here> mentions, :emoji: codes, and the
// three entities Slack requires apps to escape (&amp; &lt; &gt;).

const ICONS = {
  lock: "M6 10V7a6 6 0 0 1 12 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1zm2 0h8V7a4 4 0 0 0-8 0z",
  seedling: "M12 22v-9m0 0C12 8 8 5 3 5c0 5 4 8 9 8zm0 0c0-4 3-7 8-7 0 4-3 7-8 7",
  warning: "M12 3 2 21h20zm0 6v5m0 3v1",
  white_check_mark: "M5 12l4 4 10-10",
  heavy_check_mark: "M5 12l4 4 10-10",
  wastebasket: "M4 7h16M9 7V4h6v3m-8 0 1 14h8l1-14",
  calendar: "M4 6h16v15H4zM4 10h16M8 3v4m8-4v4",
  bulb: "M9 18h6m-5 3h4M12 3a6 6 0 0 0-3 11v2h6v-2a6 6 0 0 0-3-11",
  sparkles: "M12 3l2 6 6 2-6 2-2 6-2-6-6-2 6-2z",
  hourglass: "M6 3h12M6 21h12M7 3c0 6 10 6 10 9s-10 3-10 9m10-18c0 6-10 6-10 9s10 3 10 9",
  memo: "M6 3h9l3 3v15H6zM9 9h6m-6 4h6m-6 4h4",
  pencil: "M4 20l4-1L19 8l-3-3L5 16zm10-13 3 3",
  wave: "M7 12V6a1.5 1.5 0 0 1 3 0v5m0-6V4a1.5 1.5 0 0 1 3 0v7m0-5a1.5 1.5 0 0 1 3 0v7c0 5-3 8-7 8-3 0-5-2-6-5l-1-3a1.5 1.5 0 0 1 3-1l1 2",
  speech_balloon: "M4 5h16v11H9l-5 4z",
  thread: "M4 5h16v11H9l-5 4z",
  zzz: "M5 5h6l-6 7h6m2-7h6l-6 7h6m-8 3h5l-5 6h5",
  heart: "M12 20S4 14 4 9a4 4 0 0 1 8-1 4 4 0 0 1 8 1c0 5-8 11-8 11z",
};
const UNICODE = {
  tada: "\u{1F389}", "+1": "\u{1F44D}", thumbsup: "\u{1F44D}", raised_hands: "\u{1F64C}",
  slightly_smiling_face: "\u{1F642}", hugging_face: "\u{1F917}", ok_hand: "\u{1F44C}",
  herb: "\u{1F33F}", leaves: "\u{1F343}", mag: "\u{1F50D}", clock3: "\u{1F552}",
  arrows_counterclockwise: "\u{1F504}", bell: "\u{1F514}", star: "\u2B50", wave: "\u{1F44B}",
};
const SVG_NS = "http://www.w3.org/2000/svg";

export function emoji(name) {
  const path = ICONS[name];
  if (path) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", `emoji emoji-${name}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", name.replaceAll("_", " "));
    const p = document.createElementNS(SVG_NS, "path");
    p.setAttribute("d", path);
    svg.append(p);
    return svg;
  }
  if (UNICODE[name]) {
    const span = document.createElement("span");
    span.className = "emoji-char";
    span.textContent = UNICODE[name];
    span.title = `:${name}:`;
    return span;
  }
  return null;
}

export function decodeEntities(text) {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

// Plain text: only :emoji: codes are special (Slack's plain_text with emoji: true).
export function plain(text, withEmoji = true) {
  const frag = document.createDocumentFragment();
  String(text ?? "")
    .split("\n")
    .forEach((line, i) => {
      if (i) frag.append(document.createElement("br"));
      appendWithEmoji(frag, line, withEmoji);
    });
  return frag;
}

function appendWithEmoji(parent, text, withEmoji = true) {
  if (!withEmoji) {
    parent.append(text);
    return;
  }
  const re = /:([a-z0-9_+-]+):/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const icon = emoji(m[1]);
    if (!icon) continue;
    parent.append(text.slice(last, m.index), icon);
    last = m.index + m[0].length;
  }
  parent.append(text.slice(last));
}

// ctx: { members: {id: {real_name}}, channels: {id: name}, onAppLink(url),
//        inPageLink(url) -> {href, open()} for a link to this workspace (a permalink),
//        channelLink(id) -> the page's address of a channel you are in, or null }
export function mrkdwn(text, ctx = {}) {
  const frag = document.createDocumentFragment();
  const parts = String(text ?? "").split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const pre = document.createElement("pre");
      pre.textContent = decodeEntities(part.replace(/^\n/, ""));
      frag.append(pre);
    } else if (part) {
      appendLines(frag, part, ctx);
    }
  });
  return frag;
}

function appendLines(parent, text, ctx) {
  const lines = text.split("\n");
  let quote = null;
  lines.forEach((line, i) => {
    const quoted = line.match(/^(?:&gt;|>)\s?(.*)$/);
    if (quoted) {
      if (!quote) {
        quote = document.createElement("blockquote");
        parent.append(quote);
      } else {
        quote.append(document.createElement("br"));
      }
      inline(quote, quoted[1], ctx);
      return;
    }
    quote = null;
    inline(parent, line, ctx);
    if (i < lines.length - 1) parent.append(document.createElement("br"));
  });
}

const INLINE = [
  { kind: "angle", re: /<([^<>\s][^<>]*)>/ },
  { kind: "code", re: /`([^`\n]+)`/ },
  { kind: "b", re: /(^|[\s(["'“‘])\*(?!\s)([^*\n]*?[^\s*])\*(?=$|[\s.,!?;:)\]"'”’])/ },
  { kind: "i", re: /(^|[\s(["'“‘])_(?!\s)([^_\n]*?[^\s_])_(?=$|[\s.,!?;:)\]"'”’])/ },
  { kind: "s", re: /(^|[\s(["'“‘])~(?!\s)([^~\n]*?[^\s~])~(?=$|[\s.,!?;:)\]"'”’])/ },
];

function inline(parent, text, ctx) {
  while (text) {
    let best = null;
    for (const rule of INLINE) {
      const m = rule.re.exec(text);
      if (m && (best === null || m.index < best.m.index)) best = { rule, m };
    }
    if (!best) {
      appendWithEmoji(parent, decodeEntities(text));
      return;
    }
    const { rule, m } = best;
    const lead = rule.kind === "angle" || rule.kind === "code" ? "" : m[1];
    appendWithEmoji(parent, decodeEntities(text.slice(0, m.index) + lead));
    parent.append(inlineNode(rule.kind, m, ctx));
    text = text.slice(m.index + m[0].length);
  }
}

function inlineNode(kind, m, ctx) {
  if (kind === "angle") return angle(m[1], ctx);
  if (kind === "code") {
    const code = document.createElement("code");
    code.textContent = decodeEntities(m[1]);
    return code;
  }
  const el = document.createElement(kind === "b" ? "strong" : kind === "i" ? "em" : "del");
  inline(el, m[2], ctx);
  return el;
}

function mention(label, cls, href = null) {
  const node = document.createElement(href ? "a" : "span");
  if (href) node.href = href;
  node.className = `mention ${cls}`;
  node.textContent = label;
  return node;
}

function angle(body, ctx) {
  const [target, label] = body.split("|", 2);
  if (target.startsWith("@")) {
    const user = (ctx.members || {})[target.slice(1)];
    return mention(`@${label || user?.real_name || user?.name || target.slice(1)}`, "user");
  }
  if (target.startsWith("#")) {
    const name = label || (ctx.channels || {})[target.slice(1)] || target.slice(1);
    return mention(`#${name}`, "channel", ctx.channelLink?.(target.slice(1))); // opens, as in Slack
  }
  if (target.startsWith("!")) {
    if (target.startsWith("!date^")) return document.createTextNode(decodeEntities(label || ""));
    const word = target.slice(1).split("^")[0];
    return mention(`@${label || word}`, "special");
  }
  const url = decodeEntities(target);
  const a = document.createElement("a");
  a.textContent = decodeEntities(label || target);
  const inPage = ctx.inPageLink?.(url);
  if (inPage) {
    a.href = inPage.href;
    a.addEventListener("click", (e) => {
      e.preventDefault();
      inPage.open();
    });
  } else if (/^slack:\/\/app\?/.test(url) && ctx.onAppLink) {
    a.href = "#/home";
    a.addEventListener("click", (e) => {
      e.preventDefault();
      ctx.onAppLink(url);
    });
  } else if (/^(https?:|mailto:|tel:)/i.test(url)) {
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  } else {
    return document.createTextNode(a.textContent);
  }
  return a;
}
