// The sandbox page: a small Slack-like workspace around the Setback bot.
//
// Everything shown comes from GET /sandbox/state (what the signed-in person sees); every
// change in the workspace arrives as a Server-Sent Event and triggers a fresh read.
// Everything the person does is a POST to /sandbox/<verb>, which the sandbox turns into
// the signed request Slack would send the bot.
//
// "Only visible to you" (ephemeral) messages live here, in the page's memory, as they
// live in Slack's client: the page asks only for those posted since it opened, keeps
// them while it is open, and a reload (or switching people) starts without them.

import {
  clientProblems,
  collectValues,
  el,
  renderBlocks,
  showErrors,
  textObject,
} from "./blocks.js";
import { mrkdwn } from "./mrkdwn.js";

const $ = (selector, root = document) => root.querySelector(selector);
const HOUR = 3600;
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

const ui = {
  me: new URLSearchParams(location.search).get("as") || "U0ADA",
  data: null,
  fetchedAt: 0,
  route: parseRoute(),
  thread: null, // {channel, ts}
  seenRejections: null,
  lastSeen: {},
  dismissed: new Set(),
  modalKey: null,
  modalErrorsKey: "",
  homeKey: null,
  homeRequested: false,
  returnFocus: null,
  rendered: new Map(), // list element -> Map(key -> {sig, node})
  ephemeralsSince: null, // the workspace's newest ts when this page opened
  ephemerals: new Map(), // ts -> ephemeral message (with its channel) this page was shown
};

// ---------------------------------------------------------------------------- helpers

function parseRoute() {
  const [, kind, id] = (location.hash || "#/dm").split("/");
  if (kind === "c" && id) return { kind: "channel", id };
  if (kind === "home") return { kind: "home" };
  return { kind: "dm" };
}

function tz() {
  return ui.data?.me?.tz || "UTC";
}

function fmt(seconds, options) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: tz(), ...options }).format(new Date(seconds * 1000));
}

const timeOf = (ts) => fmt(Number(ts), { hour: "2-digit", minute: "2-digit" });
// A time, with its day when that is not the workspace's today (threads have no day lines).
const stampOf = (ts) =>
  dayOf(ts) === dayOf(workspaceNow())
    ? timeOf(ts)
    : fmt(Number(ts), { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const dayOf = (ts) => fmt(Number(ts), { weekday: "long", day: "numeric", month: "long" });

function workspaceNow() {
  if (!ui.data) return Date.now() / 1000;
  return ui.data.now + (performance.now() - ui.fetchedAt) / 1000;
}

function dmChannel() {
  return ui.data?.conversations.find((c) => c.is_im);
}

function conversation(id) {
  return ui.data?.conversations.find((c) => c.id === id);
}

function channelNames() {
  return Object.fromEntries((ui.data?.directory || []).map((c) => [c.id, c.name]));
}

function renderCtx(extra) {
  return {
    members: ui.data.members,
    channels: channelNames(),
    people: ui.data.people,
    directory: ui.data.directory,
    me: ui.me,
    onAppLink: openAppLink,
    inPageLink,
    channelLink: (id) => (conversation(id) && !conversation(id).is_im ? `#/c/${id}` : null),
    openUrl,
    confirm: confirmDialog,
    ...extra,
  };
}

function openAppLink(url) {
  const tab = new URL(url.replace("slack://", "https://slack/")).searchParams.get("tab");
  go(tab === "messages" ? "#/dm" : "#/home");
}

// A permalink to a message of this workspace (…/archives/C…/p1764064800000100, maybe
// with ?thread_ts=…) opens that conversation here, as Slack's client does, not a new tab.
function permalink(url) {
  let parsed;
  try {
    parsed = new URL(url, location.href);
  } catch {
    return null;
  }
  const found = parsed.pathname.match(/^\/archives\/([A-Z0-9]+)\/p(\d{7,})$/);
  if (!found || parsed.port !== location.port || !/^(127\.0\.0\.1|localhost|\[::1\])$/.test(parsed.hostname)) return null;
  const ts = `${found[2].slice(0, -6)}.${found[2].slice(-6)}`;
  return { channel: found[1], ts, thread: parsed.searchParams.get("thread_ts") };
}

function inPageLink(url) {
  const link = permalink(url);
  if (!link) return null;
  const conv = conversation(link.channel);
  const href = conv?.is_im ? "#/dm" : `#/c/${link.channel}`;
  return { href, open: () => openPermalink(link, href) };
}

function openPermalink(link, href) {
  if (!conversation(link.channel)) {
    toast("That message is in a conversation you are not in, or it is gone.", "error");
    return;
  }
  ui.thread = link.thread ? { channel: link.channel, ts: link.thread } : null;
  if (!$("#modal-overlay").hidden) closeModal();
  if (location.hash !== href) location.hash = href; // (its hashchange renders again: harmless)
  ui.route = parseRoute();
  render(); // now, so the message is there to scroll to
  const target = $(`#messages li[data-ts="${CSS.escape(link.thread || link.ts)}"]`);
  if (!target) {
    toast("That message is no longer there.", "error");
    return;
  }
  target.scrollIntoView({ block: "center" });
  target.classList.add("linked");
  setTimeout(() => target.classList.remove("linked"), 2500);
}

function openUrl(url) {
  const inPage = inPageLink(url);
  if (inPage) inPage.open();
  else if (url.startsWith("slack://")) openAppLink(url);
  else window.open(url, "_blank", "noopener,noreferrer");
}

function go(hash) {
  if (location.hash === hash) {
    ui.route = parseRoute();
    render();
  } else {
    location.hash = hash;
  }
}

// ---------------------------------------------------------------------------- server

async function post(verb, body = {}) {
  let answer;
  try {
    const reply = await fetch(`/sandbox/${verb}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: ui.me, ...body }),
    });
    answer = await reply.json();
  } catch (error) {
    answer = { ok: false, error: "The sandbox is not answering. Is it still running?" };
  }
  if (answer.notice) toast(answer.notice, "notice");
  if (!answer.ok && answer.error) toast(answer.error, "error");
  await refresh();
  return answer;
}

let refreshing = null;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        const who = ui.me;
        const since = ui.ephemeralsSince ? `&ephemerals_since=${encodeURIComponent(ui.ephemeralsSince)}` : "";
        const reply = await fetch(`/sandbox/state?user=${encodeURIComponent(who)}${since}`);
        if (who !== ui.me) {
          again = true; // switched people meanwhile: read again for the one signed in now
        } else if (reply.ok) {
          ui.data = await reply.json();
          ui.fetchedAt = performance.now();
          ui.ephemeralsSince ||= ui.data.cursor;
          keepEphemerals(ui.data);
          render();
          setConnection(true);
        }
      } catch {
        setConnection(false);
      }
    } while (again);
  })();
  await refreshing;
  refreshing = null;
}

// Remember the ephemerals this page was shown, and show them even once the sandbox has
// forgotten them (a restart): they go only with the page.
function keepEphemerals(data) {
  for (const conv of data.conversations) {
    for (const m of conv.messages) if (m.ephemeral) ui.ephemerals.set(m.ts, { ...m, channel: conv.id });
    const listed = new Set(conv.messages.map((m) => m.ts));
    const kept = [...ui.ephemerals.values()].filter((m) => m.channel === conv.id && !listed.has(m.ts));
    if (!kept.length) continue;
    conv.messages.push(...kept.map(({ channel, ...m }) => m));
    conv.messages.sort((a, b) => Number(a.ts) - Number(b.ts));
  }
}

let soon = null;
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(refresh, 30);
}

function listen() {
  const events = new EventSource("/sandbox/events");
  events.addEventListener("change", refreshSoon);
  events.addEventListener("hello", () => {
    setConnection(true);
    refreshSoon();
  });
  events.onerror = () => setConnection(false);
}

function setConnection(up) {
  $("#connection").hidden = up;
}

// ---------------------------------------------------------------------------- render

function render() {
  if (!ui.data) return;
  renderTopbar();
  renderMain();
  renderSidebar();
  renderThread();
  renderModal();
  renderLog();
  announceRejections();
}

function renderTopbar() {
  $("#team-name").textContent = ui.data.team.name;
  const who = $("#who");
  const peopleKey = ui.data.people.map((p) => p.id).join(",");
  if (who.dataset.key !== peopleKey) {
    who.replaceChildren(...ui.data.people.map((p) => el("option", { value: p.id, text: p.real_name })));
    who.dataset.key = peopleKey;
  }
  who.value = ui.me;
  const workspaces = ui.data.workspaces || [];
  $("#workspace-picker").hidden = workspaces.length < 2;
  const picker = $("#workspace");
  const teamsKey = workspaces.map((w) => w.id).join(",");
  if (picker.dataset.key !== teamsKey) {
    picker.replaceChildren(...workspaces.map((w) => el("option", { value: w.id, text: w.name })));
    picker.dataset.key = teamsKey;
  }
  picker.value = ui.data.team.id;
  $("#remove-app").hidden = !ui.data.can_uninstall;
  tickClock();
}

function currentWorkspace() {
  return (ui.data.workspaces || []).find((w) => w.id === ui.data.team.id);
}

// Another workspace: sign in as its first person (the person picker then offers the rest).
function switchWorkspace(teamId) {
  const ws = (ui.data?.workspaces || []).find((w) => w.id === teamId);
  if (ws && ws.people.length) switchUser(ws.people[0].id);
}

// A workspace admin removes Setback (Slack tells the app: app_uninstalled, tokens_revoked).
async function removeApp() {
  const yes = await confirmDialog({
    title: { type: "plain_text", text: `Remove Setback from ${ui.data.team.name}?` },
    text: { type: "plain_text", text: "Its tokens stop working at once, and Slack tells Setback it was removed. You can add it again from Apps." },
    confirm: { type: "plain_text", text: "Remove" },
    deny: { type: "plain_text", text: "Cancel" },
    style: "danger",
  });
  if (yes) await post("uninstall");
}

// The authorize page (Slack's, played by the sandbox) reads who is signed in from here.
function rememberSignedIn(id) {
  document.cookie = `sandbox-user=${encodeURIComponent(id)}; path=/; SameSite=Lax`;
}

function tickClock() {
  if (!ui.data) return;
  const now = workspaceNow();
  const clock = $("#clock-now");
  clock.textContent = fmt(now, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  clock.dateTime = new Date(now * 1000).toISOString();
  clock.title = `Workspace time in ${tz()}`;
}

function unread(conv) {
  const seen = ui.lastSeen[conv.id] ?? "0";
  return conv.messages.filter((m) => m.ts > seen && m.user !== ui.me && !m.ephemeral).length;
}

function markSeen(conv) {
  const last = conv.messages.at(-1)?.ts;
  if (last && (ui.lastSeen[conv.id] ?? "0") < last) {
    ui.lastSeen[conv.id] = last;
    sessionStorage.setItem(`seen-${ui.me}`, JSON.stringify(ui.lastSeen));
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";
const GLYPHS = {
  hash: "M9 4 7 20M17 4l-2 16M4 9h16M3 15h16",
  lock: "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z",
  app: "M12 3l2.2 6.8L21 12l-6.8 2.2L12 21l-2.2-6.8L3 12l6.8-2.2z",
};

function glyph(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", `glyph glyph-${name}`);
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", GLYPHS[name]);
  svg.append(path);
  return svg;
}

function sideLink(href, label, active, count, icon) {
  const a = el(
    "a",
    { href, class: `side-link${active ? " active" : ""}${count ? " unread" : ""}`, "aria-current": active ? "page" : null },
    el("span", { class: "side-icon" }, glyph(icon)),
    el("span", { class: "side-label", text: label }),
  );
  if (count) a.append(el("span", { class: "badge", text: String(count), "aria-label": `${count} unread` }));
  return a;
}

function renderSidebar() {
  const channels = ui.data.conversations.filter((c) => !c.is_im);
  const r = ui.route;
  $("#channel-list").replaceChildren(
    ...channels.map((c) =>
      el("li", {}, sideLink(`#/c/${c.id}`, c.name, r.kind === "channel" && r.id === c.id, unread(c), c.is_private ? "lock" : "hash")),
    ),
  );
  const dm = dmChannel();
  const install = currentWorkspace()?.install_url;
  if (ui.data.app_installed === false) {
    $("#app-list").replaceChildren(
      el(
        "li",
        {},
        install
          ? el("a", { href: install, class: "side-link add-app" }, el("span", { class: "side-icon" }, glyph("app")), el("span", { class: "side-label", text: "Add Setback" }))
          : el("span", { class: "side-link", text: "Setback is not installed here" }),
      ),
    );
    return;
  }
  $("#app-list").replaceChildren(
    el("li", {}, sideLink("#/dm", "Setback", r.kind === "dm" || r.kind === "home", dm ? unread(dm) : 0, "app")),
  );
}

// Setback is not in this workspace yet: say so, and offer its "Add to Slack" page.
function renderNotInstalled() {
  const team = ui.data.team.name;
  const install = currentWorkspace()?.install_url;
  $("#main-header").replaceChildren(
    el("h1", { class: "conv-title" }, el("img", { class: "app-mark", src: "/static/favicon.svg", alt: "" }), "Setback"),
  );
  $("#home").hidden = false;
  $("#conversation").hidden = true;
  ui.homeKey = null;
  $("#home-body").replaceChildren(
    el(
      "div",
      { class: "not-installed" },
      el("h2", { text: `Setback isn't installed in ${team} yet` }),
      el("p", {
        text: "Add it the way a Slack workspace does: Setback's Add to Slack page, then Slack's page that asks you to allow what it needs.",
      }),
      install
        ? el("p", {}, el("a", { class: "btn btn-primary add-app", href: install, text: `Add Setback to ${team}` }))
        : el("p", { text: "This sandbox runs Setback with one token, so it cannot be added here (start it without --one-token)." }),
    ),
  );
  $("#main").dataset.view = "home";
  document.title = `Setback — ${team}`;
}

function renderMain() {
  const r = ui.route;
  const main = $("#main");
  if (ui.data.app_installed === false && r.kind !== "channel") {
    renderNotInstalled();
    return;
  }
  if (r.kind === "home") {
    renderAppHeader("home");
    renderHome();
    main.dataset.view = "home";
    document.title = "Setback · Home — Sandbox";
    return;
  }
  ui.homeRequested = false;
  const conv = r.kind === "dm" ? dmChannel() : conversation(r.id);
  if (!conv) {
    go("#/dm");
    return;
  }
  if (r.kind === "dm") renderAppHeader("messages");
  else renderChannelHeader(conv);
  main.dataset.view = "conversation";
  document.title = `${conv.is_im ? "Setback" : `#${conv.name}`} — Sandbox`;
  renderConversation(conv);
  markSeen(conv);
}

function renderAppHeader(tab) {
  const tabs = [
    ["home", "Home", "#/home"],
    ["messages", "Messages", "#/dm"],
  ];
  $("#main-header").replaceChildren(
    el("h1", { class: "conv-title" }, el("img", { class: "app-mark", src: "/static/favicon.svg", alt: "" }), "Setback"),
    el(
      "div",
      { class: "tabs", role: "tablist", "aria-label": "Setback app" },
      ...tabs.map(([key, label, href]) =>
        el("a", { role: "tab", href, class: "tab", "aria-selected": String(key === tab), text: label }),
      ),
    ),
  );
  $("#home").hidden = tab !== "home";
  $("#conversation").hidden = tab === "home";
}

function renderChannelHeader(conv) {
  const note = conv.bot_is_member
    ? null
    : el("p", { class: "conv-note" }, "Setback isn't in this channel. To add it, type ", el("code", { text: "/invite @setback" }), ".");
  const title = el("h1", { class: "conv-title" }, el("span", { class: "hash" }, glyph(conv.is_private ? "lock" : "hash")), conv.name);
  $("#main-header").replaceChildren(...[title, note].filter(Boolean));
  $("#home").hidden = true;
  $("#conversation").hidden = false;
}

function topLevel(conv) {
  return conv.messages.filter(
    (m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === "thread_broadcast",
  );
}

function renderConversation(conv) {
  const list = $("#messages");
  list.setAttribute("aria-label", conv.is_im ? "Messages with Setback" : `Messages in #${conv.name}`);
  const scroller = $("#conversation-scroller");
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
  const items = [intro(conv)];
  let day = null;
  for (const m of topLevel(conv)) {
    if (m.ephemeral && ui.dismissed.has(m.ts)) continue;
    const d = dayOf(m.ts);
    if (d !== day) {
      day = d;
      items.push({ key: `day-${d}`, sig: d, make: () => el("li", { class: "day", role: "separator", text: d }) });
    }
    items.push(messageItem(conv, m, true));
  }
  patchList(list, items);
  if (atBottom || list.dataset.conv !== conv.id) scroller.scrollTop = scroller.scrollHeight;
  list.dataset.conv = conv.id;
  const composer = $("#composer-input");
  composer.placeholder = conv.is_im ? "Message Setback — try /setback" : `Message #${conv.name}`;
  composer.dataset.channel = conv.id;
}

function intro(conv) {
  const sig = `intro-${conv.id}-${conv.bot_is_member}`;
  const make = () => {
    if (conv.is_im) {
      return el(
        "li",
        { class: "intro" },
        el("h2", { text: "This is your private space with Setback" }),
        el(
          "p",
          {},
          "When something went wrong at work, type ",
          el("code", { text: "/setback" }),
          " below for a short, blameless reflection. Only you can see what you write here; check-ins for your plans arrive in this conversation.",
        ),
      );
    }
    return el(
      "li",
      { class: "intro" },
      el("h2", { text: `This is the very beginning of #${conv.name}` }),
      el("p", { text: conv.is_private ? "A private channel: only its members can see it." : "A public channel everyone in the workspace can join." }),
    );
  };
  return { key: "intro", sig, make };
}

function messageItem(conv, m, withThreadLink) {
  const members = ui.data.members;
  const today = dayOf(workspaceNow());
  const sig = JSON.stringify([m, withThreadLink, ui.me, tz(), members[m.user]?.real_name, today]);
  return { key: m.ts, sig, make: () => renderMessage(conv, m, withThreadLink) };
}

function renderMessage(conv, m, withThreadLink) {
  if (m.subtype === "tombstone") return renderTombstone(conv, m, withThreadLink);
  const author = ui.data.members[m.user];
  const isBot = Boolean(m.bot_id) || m.user === ui.data.bot_user_id;
  const name = isBot ? "Setback" : author?.real_name || m.user || "Someone";
  const body = el("div", { class: "message-body" });
  const ctx = renderCtx({
    surface: "message",
    currentChannel: conv.id,
    act: (a) => clickInMessage(conv.id, m.ts, a, body),
  });
  if (m.blocks?.length) body.append(renderBlocks(m.blocks, ctx));
  else body.append(el("div", { class: "message-text" }, mrkdwn(m.text || "", ctx)));
  if (m.files?.length) body.append(el("div", { class: "file-cards" }, ...m.files.map(fileCard)));
  const meta = el(
    "div",
    { class: "message-meta" },
    el("span", { class: "author", text: name }),
    isBot ? el("span", { class: "app-badge", text: "APP" }) : null,
    el("time", { datetime: new Date(Number(m.ts) * 1000).toISOString(), text: withThreadLink ? timeOf(m.ts) : stampOf(m.ts) }),
    m.edited ? el("span", { class: "edited", text: "(edited)" }) : null,
    !isBot && m.user === ui.me && !m.ephemeral ? deleteButton(conv, m) : null,
  );
  const main = el("div", { class: "message-main" }, meta);
  if (m.ephemeral) {
    main.append(
      el(
        "p",
        { class: "ephemeral-note" },
        "Only visible to you · ",
        el("button", { type: "button", class: "link-button", text: "Dismiss", onclick: () => dismiss(m.ts) }),
      ),
    );
  }
  main.append(body);
  if (withThreadLink && m.reply_count) main.append(threadLink(conv, m));
  return el(
    "li",
    { class: `message${m.ephemeral ? " ephemeral" : ""}${isBot ? " from-app" : ""}`, "data-ts": m.ts },
    isBot
      ? el("img", { class: "avatar avatar-app", src: "/static/favicon.svg", alt: "" })
      : el("div", { class: "avatar", "aria-hidden": "true", text: name[0] }),
    main,
  );
}

function threadLink(conv, m) {
  const open = ui.thread?.channel === conv.id && ui.thread?.ts === m.ts;
  return el(
    "button",
    {
      type: "button",
      class: `thread-link${open ? " open" : ""}`,
      "aria-expanded": String(open),
      onclick: () => openThread(conv.id, m.ts),
    },
    `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`,
    el("span", { class: "thread-last", text: ` · last reply ${stampOf(m.latest_reply)}` }),
  );
}

// What Slack shows where a message with replies was deleted: no author, just the fact.
function renderTombstone(conv, m, withThreadLink) {
  const main = el("div", { class: "message-main" }, el("p", { class: "tombstone-text", text: "This message was deleted." }));
  if (withThreadLink && m.reply_count) main.append(threadLink(conv, m));
  return el("li", { class: "message tombstone", "data-ts": m.ts }, el("div", { class: "avatar avatar-gone", "aria-hidden": "true" }), main);
}

// Slack's "Delete message" on what you wrote yourself (the app's messages are the app's).
function deleteButton(conv, m) {
  return el("button", {
    type: "button",
    class: "link-button own-action",
    text: "Delete",
    "aria-label": "Delete your message",
    onclick: async () => {
      const sure = await confirmDialog({
        title: { type: "plain_text", text: "Delete message" },
        text: { type: "plain_text", text: "Are you sure you want to delete this message? This cannot be undone." },
        confirm: { type: "plain_text", text: "Delete" },
        deny: { type: "plain_text", text: "Cancel" },
        style: "danger",
      });
      if (sure) await post("delete", { channel: conv.id, ts: m.ts });
    },
  });
}

const FILE_KINDS = { json: "JSON", md: "Markdown", markdown: "Markdown", txt: "Plain text", csv: "CSV" };

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function fileCard(f) {
  const type = String(f.filetype || "").toLowerCase();
  return el(
    "a",
    { class: "file-card", href: f.url_private, download: f.name, title: `Download ${f.name}` },
    el("span", { class: "file-icon", "aria-hidden": "true", text: (type || "file").slice(0, 4).toUpperCase() }),
    el(
      "span",
      { class: "file-text" },
      el("span", { class: "file-name", text: f.title || f.name }),
      el("span", { class: "file-meta", text: `${FILE_KINDS[type] || type.toUpperCase() || "File"} · ${fileSize(f.size)}` }),
    ),
  );
}

// Replace only the items whose signature changed, so focus and typing survive updates.
function patchList(list, items) {
  const old = ui.rendered.get(list) || new Map();
  const next = new Map();
  const nodes = items.map((item) => {
    const kept = old.get(item.key);
    const node = kept && kept.sig === item.sig ? kept.node : item.make();
    next.set(item.key, { sig: item.sig, node });
    return node;
  });
  ui.rendered.set(list, next);
  nodes.forEach((node, i) => {
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] || null);
  });
  while (list.children.length > nodes.length) list.lastElementChild.remove();
}

function dismiss(ts) {
  ui.dismissed.add(ts);
  render();
}

async function clickInMessage(channel, ts, action, body) {
  await post("action", { channel, ts, ...action, values: collectValues(body) });
}

// ---------------------------------------------------------------------------- threads

function openThread(channel, ts) {
  ui.thread = { channel, ts };
  render();
  $("#thread-input").focus();
}

function closeThread() {
  ui.thread = null;
  render();
  $("#composer-input").focus();
}

function renderThread() {
  const panel = $("#thread");
  const conv = ui.thread && conversation(ui.thread.channel);
  const visible = conv && (ui.route.kind !== "home") && (conv.is_im ? ui.route.kind === "dm" : ui.route.id === conv.id);
  panel.hidden = !visible;
  document.body.classList.toggle("thread-open", Boolean(visible));
  if (!visible) return;
  const parent = conv.messages.find((m) => m.ts === ui.thread.ts);
  if (!parent) {
    ui.thread = null;
    panel.hidden = true;
    return;
  }
  const replies = conv.messages.filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
  $("#thread-where").textContent = conv.is_im ? "with Setback" : `#${conv.name}`;
  const list = $("#thread-messages");
  const scroller = $("#thread-scroller");
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
  const items = [messageItem(conv, parent, false)];
  items.push({
    key: "count",
    sig: String(replies.length),
    make: () => el("li", { class: "reply-count", role: "separator", text: `${replies.length} ${replies.length === 1 ? "reply" : "replies"}` }),
  });
  items.push(...replies.map((m) => messageItem(conv, m, false)));
  patchList(list, items);
  if (atBottom || list.dataset.thread !== parent.ts) scroller.scrollTop = scroller.scrollHeight;
  list.dataset.thread = parent.ts;
}

// ---------------------------------------------------------------------------- home

function renderHome() {
  const home = ui.data.home;
  const pane = $("#home-body");
  if (!ui.homeRequested) {
    ui.homeRequested = true;
    post("home");
  }
  if (!home) {
    ui.homeKey = null;
    pane.replaceChildren(el("p", { class: "loading", text: "Opening Setback's Home…" }));
    return;
  }
  const key = `${ui.me}:${home.id}:${home.hash}`;
  if (key === ui.homeKey) return;
  ui.homeKey = key;
  const body = el("div", { class: "home-view" });
  body.append(
    renderBlocks(
      home.blocks,
      renderCtx({
        surface: "home",
        state: home.state?.values,
        act: (a) => post("action", { view_id: home.id, ...a, values: collectValues(body) }),
      }),
    ),
  );
  pane.replaceChildren(body);
}

// ---------------------------------------------------------------------------- modal

function renderModal() {
  const overlay = $("#modal-overlay");
  const modal = ui.data.modal;
  if (!modal) {
    if (!overlay.hidden) hideModal();
    return;
  }
  const view = modal.view;
  const key = `${ui.me}:${view.id}:${view.hash}`;
  const errorsKey = JSON.stringify(modal.errors);
  if (key !== ui.modalKey) {
    ui.modalKey = key;
    ui.modalErrorsKey = "";
    buildModal(modal);
  }
  if (errorsKey !== ui.modalErrorsKey) {
    ui.modalErrorsKey = errorsKey;
    showErrors($("#modal-body"), modal.errors);
    focusFirstInvalid();
  }
}

function buildModal(modal) {
  const view = modal.view;
  const overlay = $("#modal-overlay");
  const opening = overlay.hidden;
  if (opening) {
    ui.returnFocus = document.activeElement;
    // Notices are about the workspace behind; they must not sit on the modal's ×.
    for (const notice of document.querySelectorAll("#toasts .toast-notice")) notice.remove();
  }
  $("#modal-title").replaceChildren(textObject(view.title, {}));
  $("#modal-back").hidden = modal.depth < 2;
  const body = $("#modal-body");
  body.replaceChildren(
    renderBlocks(
      view.blocks,
      renderCtx({
        surface: "modal",
        state: view.state?.values,
        errors: modal.errors,
        act: (a) => post("action", { view_id: view.id, ...a, values: collectValues(body) }),
      }),
    ),
  );
  $("#modal-error").textContent = "";
  const submit = $("#modal-submit");
  submit.hidden = !view.submit;
  submit.replaceChildren(textObject(view.submit || { text: "Submit" }, {}));
  submit.disabled = false;
  $("#modal-cancel").replaceChildren(textObject(view.close || { text: view.submit ? "Cancel" : "Close" }, {}));
  overlay.hidden = false;
  $("#app").inert = true;
  document.body.classList.add("modal-open");
  const first =
    body.querySelector("[data-autofocus]") ||
    body.querySelector("input:not([type=hidden]), textarea, select") ||
    body.querySelector("button") ||
    $("#modal-submit:not([hidden])") ||
    $("#modal-cancel");
  (first || $("#modal")).focus();
  body.scrollTop = 0;
}

function hideModal() {
  $("#modal-overlay").hidden = true;
  $("#app").inert = false;
  document.body.classList.remove("modal-open");
  ui.modalKey = null;
  const back = ui.returnFocus;
  ui.returnFocus = null;
  (back && document.contains(back) ? back : $("#composer-input")).focus();
}

function focusFirstInvalid() {
  const bad = $("#modal-body .input-block.invalid");
  if (!bad) return;
  bad.scrollIntoView({ block: "center" });
  bad.querySelector("input, textarea, select")?.focus();
}

async function submitModal(event) {
  event.preventDefault();
  const modal = ui.data?.modal;
  const submit = $("#modal-submit");
  if (!modal || submit.disabled || submit.hidden) return;
  const body = $("#modal-body");
  const problems = clientProblems(body);
  showErrors(body, problems);
  if (Object.keys(problems).length) {
    focusFirstInvalid();
    return;
  }
  submit.disabled = true;
  submit.classList.add("busy");
  $("#modal-error").textContent = "";
  const answer = await post("submit", { view_id: modal.view.id, values: collectValues(body) });
  submit.classList.remove("busy");
  submit.disabled = false;
  if (!answer.ok) $("#modal-error").textContent = answer.error || "That didn't go through. Try again?";
}

async function closeModal() {
  const modal = ui.data?.modal;
  if (!modal) return;
  const values = collectValues($("#modal-body"));
  if (modal.depth < 2) hideModal();
  await post("close", { view_id: modal.view.id, values });
}

function trapFocus(event, container) {
  if (event.key !== "Tab") return;
  const items = [...container.querySelectorAll(FOCUSABLE)].filter((n) => n.offsetParent !== null);
  if (!items.length) return;
  const first = items[0];
  const last = items.at(-1);
  if (event.shiftKey && (document.activeElement === first || !container.contains(document.activeElement))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const overlay = $("#confirm-overlay");
    const previous = document.activeElement;
    $("#confirm-title").replaceChildren(textObject(confirm.title, {}));
    $("#confirm-text").replaceChildren(textObject(confirm.text, renderCtx({})));
    const yes = $("#confirm-yes");
    const no = $("#confirm-no");
    yes.replaceChildren(textObject(confirm.confirm || { text: "Yes" }, {}));
    no.replaceChildren(textObject(confirm.deny || { text: "Cancel" }, {}));
    yes.className = `btn ${confirm.style === "danger" ? "btn-danger" : "btn-primary"}`;
    overlay.hidden = false;
    const done = (answer) => {
      overlay.hidden = true;
      overlay.onkeydown = null;
      yes.onclick = null;
      no.onclick = null;
      previous?.focus?.();
      resolve(answer);
    };
    yes.onclick = () => done(true);
    no.onclick = () => done(false);
    overlay.onkeydown = (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        done(false);
      }
      trapFocus(event, $("#confirm"));
    };
    no.focus();
  });
}

// ---------------------------------------------------------------------------- log + toasts

function rejectionKey(r) {
  return `${r.at}|${r.method}|${r.error}|${r.detail}`;
}

function announceRejections() {
  const keys = ui.data.rejections.map(rejectionKey);
  if (ui.seenRejections === null) {
    ui.seenRejections = new Set(keys);
    return;
  }
  ui.data.rejections.forEach((r, i) => {
    if (ui.seenRejections.has(keys[i])) return;
    ui.seenRejections.add(keys[i]);
    toast(`Slack refused ${r.method}: ${r.error}`, "rejection", r.detail);
  });
}

function toast(message, kind = "notice", detail = "") {
  const box = el(
    "div",
    { class: `toast toast-${kind}`, role: kind === "notice" ? "status" : "alert" },
    el("p", { class: "toast-message", text: message }),
    detail ? el("p", { class: "toast-detail", text: detail.length > 280 ? `${detail.slice(0, 280)}…` : detail }) : null,
  );
  const actions = el("div", { class: "toast-actions" });
  if (kind === "rejection") {
    actions.append(el("button", { type: "button", class: "link-button", text: "Open the Slack log", onclick: () => openLog() }));
  }
  actions.append(el("button", { type: "button", class: "link-button", text: "Dismiss", onclick: () => box.remove() }));
  box.append(actions);
  if (kind === "notice") {
    // A notice covers the top of a thread on a phone: a tap anywhere on it puts it away.
    box.addEventListener("click", (event) => {
      if (!event.target.closest("button")) box.remove();
    });
  }
  $("#toasts").append(box);
  const phone = window.matchMedia("(max-width: 880px)").matches;
  setTimeout(() => box.remove(), kind === "notice" ? (phone ? 5000 : 8000) : 20000);
}

function renderLog() {
  const rejections = ui.data.rejections;
  const badge = $("#log-count");
  badge.textContent = String(rejections.length);
  badge.setAttribute("aria-label", `(${rejections.length} refused)`);
  badge.hidden = rejections.length === 0;
  $("#rate-limits").checked = ui.data.rate_limits;
  if ($("#log").hidden) return;
  const at = (s) => fmt(s, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  $("#log-rejections").replaceChildren(
    ...(rejections.length
      ? [...rejections].reverse().map((r) =>
          el(
            "li",
            { class: "log-rejection" },
            el("div", {}, el("strong", { text: r.method }), " ", el("code", { text: r.error }), el("span", { class: "log-time", text: at(r.at) })),
            r.detail ? el("p", { class: "log-detail", text: r.detail }) : null,
          ),
        )
      : [el("li", { class: "log-empty", text: "Nothing refused so far." })]),
  );
  $("#log-calls").replaceChildren(
    ...[...ui.data.calls].reverse().map((c) =>
      el(
        "li",
        { class: c.ok ? "call-ok" : "call-error" },
        el("code", { text: c.method }),
        " ",
        el("span", { text: c.ok ? "ok" : c.error }),
        el("span", { class: "log-time", text: at(c.at) }),
      ),
    ),
  );
}

function openLog() {
  $("#log").hidden = false;
  $("#log-toggle").setAttribute("aria-expanded", "true");
  renderLog();
  $("#log-close").focus();
}

function closeLog() {
  $("#log").hidden = true;
  $("#log-toggle").setAttribute("aria-expanded", "false");
  $("#log-toggle").focus();
}

// ---------------------------------------------------------------------------- clock

const OUTCOMES = {
  sent: ["check-in delivered", "check-ins delivered"],
  rescheduled: ["moved into working hours", "moved into working hours"],
  retrying: ["will be retried", "will be retried"],
  failed: ["could not be sent", "could not be sent"],
  skipped: ["no longer needed", "no longer needed"],
};

// The bot's dispatch report ({claimed, sent, rescheduled, …}) in plain words.
function describeDispatch(report) {
  if (!report || typeof report !== "object") return "";
  const parts = Object.entries(OUTCOMES)
    .filter(([key]) => report[key] > 0)
    .map(([key, [one, many]]) => `${report[key]} ${report[key] === 1 ? one : many}`);
  if (!parts.length) return " Nothing was due yet.";
  return ` ${parts.join(", ")}.`;
}

async function advance(seconds, button) {
  const buttons = [...document.querySelectorAll(".clock-step")];
  buttons.forEach((b) => (b.disabled = true));
  button.classList.add("busy");
  const answer = await post("clock", { seconds });
  button.classList.remove("busy");
  buttons.forEach((b) => (b.disabled = false));
  if (answer.ok) {
    const when = fmt(answer.now, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
    toast(`It's now ${when}.${describeDispatch(answer.dispatch)}`, "notice");
  }
}

// ---------------------------------------------------------------------------- composer

async function send(input, threadTs) {
  const text = input.value.trim();
  if (!text) return;
  const channel = threadTs ? ui.thread.channel : input.dataset.channel;
  input.value = "";
  autosize(input);
  if (text.startsWith("/") && !threadTs) await post("command", { channel, text });
  else await post("message", { channel, text, thread_ts: threadTs || null });
}

function autosize(input) {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

function wireComposer(input, threadTs) {
  input.addEventListener("input", () => autosize(input));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(input, threadTs());
    }
  });
}

// ---------------------------------------------------------------------------- start

function switchUser(id) {
  ui.me = id;
  rememberSignedIn(id);
  const url = new URL(location.href);
  url.searchParams.set("as", id);
  history.replaceState(null, "", url);
  ui.thread = null;
  ui.homeKey = null;
  ui.modalKey = null;
  ui.homeRequested = false;
  ui.lastSeen = JSON.parse(sessionStorage.getItem(`seen-${id}`) || "{}");
  ui.rendered.clear();
  ui.ephemeralsSince = null; // another person's client: none of the earlier ones
  ui.ephemerals.clear();
  ui.data = null;
  if (!$("#modal-overlay").hidden) hideModal();
  go("#/dm");
  refresh();
}

function wire() {
  $("#who").addEventListener("change", (e) => switchUser(e.target.value));
  $("#workspace").addEventListener("change", (e) => switchWorkspace(e.target.value));
  for (const button of document.querySelectorAll(".clock-step")) {
    button.addEventListener("click", () => advance(Number(button.dataset.seconds), button));
  }
  $("#log-toggle").addEventListener("click", () => ($("#log").hidden ? openLog() : closeLog()));
  $("#log-close").addEventListener("click", closeLog);
  $("#rate-limits").addEventListener("change", (e) => post("rate-limits", { on: e.target.checked }));
  $("#remove-app").addEventListener("click", removeApp);
  $("#menu-toggle").addEventListener("click", () => {
    const open = document.body.classList.toggle("sidebar-open");
    $("#menu-toggle").setAttribute("aria-expanded", String(open));
  });
  $("#sidebar").addEventListener("click", (e) => {
    if (e.target.closest("a")) {
      document.body.classList.remove("sidebar-open");
      $("#menu-toggle").setAttribute("aria-expanded", "false");
    }
  });
  for (const form of document.querySelectorAll("form.composer")) {
    form.addEventListener("submit", (event) => event.preventDefault());
  }
  wireComposer($("#composer-input"), () => null);
  wireComposer($("#thread-input"), () => ui.thread?.ts);
  $("#thread-close").addEventListener("click", closeThread);
  $("#modal").addEventListener("submit", submitModal);
  $("#modal-cancel").addEventListener("click", closeModal);
  $("#modal-x").addEventListener("click", closeModal);
  $("#modal-back").addEventListener("click", closeModal);
  $("#modal-overlay").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && $("#confirm-overlay").hidden) {
      event.preventDefault();
      closeModal();
    }
    trapFocus(event, $("#modal"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("#log").hidden && $("#modal-overlay").hidden) closeLog();
  });
  window.addEventListener("hashchange", () => {
    ui.route = parseRoute();
    render();
    if (ui.route.kind !== "home") $("#composer-input").focus();
  });
  setInterval(tickClock, 15000);
}

ui.lastSeen = JSON.parse(sessionStorage.getItem(`seen-${ui.me}`) || "{}");
rememberSignedIn(ui.me);
wire();
listen();
refresh().then(() => {
  if (ui.data && !Object.keys(ui.lastSeen).length) {
    for (const c of ui.data.conversations) markSeen(c);
    render();
  }
  $("#composer-input").focus();
});
