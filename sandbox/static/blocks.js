// Block Kit → DOM, the way Slack's client shows it, for messages, modals and the Home tab.
//
// Interactive elements report use through ctx.act({action_id, block_id, ...}); elements
// that keep state (inputs, selects, pickers…) can be read back with collectValues(), in
// the exact shape Slack puts in view.state.values.

import { mrkdwn, plain } from "./mrkdwn.js";

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

/** Create an element with attributes, listeners and children (shared with app.js). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function textObject(t, ctx) {
  if (!t) return document.createDocumentFragment();
  if (typeof t === "string") return plain(t);
  if (t.type === "mrkdwn") return mrkdwn(t.text, ctx);
  return plain(t.text, t.emoji !== false);
}

const plainString = (t) => (t ? (typeof t === "string" ? t : t.text || "") : "");

// ---------------------------------------------------------------------------- blocks

export function renderBlocks(blocks, ctx) {
  const root = el("div", { class: `blocks blocks-${ctx.surface}` });
  for (const block of blocks || []) {
    const node = renderBlock(block, ctx);
    if (node) root.append(node);
  }
  return root;
}

function renderBlock(block, ctx) {
  const render = BLOCKS[block.type];
  if (!render) {
    return el("div", { class: "block block-unknown", text: `[${block.type} block]` });
  }
  const node = render(block, ctx);
  node.classList.add("block", `block-${block.type}`);
  if (block.block_id) node.dataset.blockId = block.block_id;
  return node;
}

const BLOCKS = {
  header: (b, ctx) => el("h3", {}, textObject(b.text, ctx)),
  divider: () => el("hr"),
  section: (b, ctx) => {
    const body = el("div", { class: "section-body" });
    if (b.text) body.append(el("div", { class: "section-text" }, textObject(b.text, ctx)));
    if (b.fields?.length) {
      body.append(
        el("div", { class: "section-fields" }, ...b.fields.map((f) => el("div", {}, textObject(f, ctx)))),
      );
    }
    const node = el("div", {}, body);
    if (b.accessory) {
      node.classList.add("has-accessory");
      node.append(el("div", { class: "accessory" }, element(b.accessory, b, ctx, { inAction: true })));
    }
    return node;
  },
  context: (b, ctx) =>
    el(
      "div",
      {},
      ...(b.elements || []).map((e) =>
        e.type === "image"
          ? el("img", { src: e.image_url, alt: e.alt_text || "", class: "context-image" })
          : el("span", { class: "context-item" }, textObject(e, ctx)),
      ),
    ),
  actions: (b, ctx) =>
    el("div", { class: "actions-row" }, ...(b.elements || []).map((e) => element(e, b, ctx, { inAction: true }))),
  image: (b, ctx) =>
    el(
      "figure",
      {},
      b.title ? el("figcaption", {}, textObject(b.title, ctx)) : null,
      el("img", { src: b.image_url, alt: b.alt_text || "" }),
    ),
  input: (b, ctx) => inputBlock(b, ctx),
  rich_text: (b, ctx) => el("div", {}, ...(b.elements || []).map((e) => richElement(e, ctx))),
  markdown: (b, ctx) => el("div", {}, mrkdwn(b.text || "", ctx)),
  file: () => el("div", { class: "file-card", text: "A shared file" }),
  video: (b, ctx) => el("div", { class: "file-card" }, textObject(b.title, ctx)),
};

function richElement(e, ctx) {
  if (e.type === "rich_text_section") return el("p", {}, ...richInline(e.elements, ctx));
  if (e.type === "rich_text_preformatted") {
    return el("pre", {}, ...(e.elements || []).map((x) => x.text || ""));
  }
  if (e.type === "rich_text_quote") return el("blockquote", {}, ...richInline(e.elements, ctx));
  if (e.type === "rich_text_list") {
    const list = el(e.style === "ordered" ? "ol" : "ul");
    for (const item of e.elements || []) list.append(el("li", {}, ...richInline(item.elements, ctx)));
    return list;
  }
  return el("span");
}

function richInline(elements, ctx) {
  return (elements || []).map((x) => {
    if (x.type === "text") {
      let node = document.createTextNode(x.text);
      const style = x.style || {};
      if (style.code) node = el("code", {}, node);
      if (style.bold) node = el("strong", {}, node);
      if (style.italic) node = el("em", {}, node);
      if (style.strike) node = el("del", {}, node);
      return node;
    }
    if (x.type === "link") {
      return el("a", { href: x.url, target: "_blank", rel: "noopener noreferrer", text: x.text || x.url });
    }
    if (x.type === "user") {
      const u = (ctx.members || {})[x.user_id];
      return el("span", { class: "mention user", text: `@${u?.real_name || x.user_id}` });
    }
    if (x.type === "channel") {
      return el("span", { class: "mention channel", text: `#${(ctx.channels || {})[x.channel_id] || x.channel_id}` });
    }
    if (x.type === "emoji") return plain(`:${x.name}:`);
    return document.createTextNode(x.text || "");
  });
}

// ---------------------------------------------------------------------------- inputs

function inputBlock(b, ctx) {
  const error = (ctx.errors || {})[b.block_id];
  const controlId = nextId("in");
  const hintId = b.hint ? nextId("hint") : null;
  const errorId = nextId("err");
  const e = b.element || {};
  const grouped = GROUPED.has(e.type);
  const label = el(
    grouped ? "legend" : "label",
    { class: "input-label", for: grouped ? null : controlId, id: `${controlId}-label` },
    textObject(b.label, ctx),
    b.optional ? el("span", { class: "optional", text: " (optional)" }) : null,
  );
  const control = element(e, b, ctx, {
    id: controlId,
    labelId: `${controlId}-label`,
    describedBy: [hintId, errorId].filter(Boolean).join(" "),
    dispatch: b.dispatch_action,
    required: !b.optional,
  });
  const node = el(
    grouped ? "fieldset" : "div",
    { class: "input-block" },
    label,
    control,
    b.hint ? el("p", { class: "hint", id: hintId }, textObject(b.hint, ctx)) : null,
    el("p", { class: "field-error", id: errorId, role: "alert" }),
  );
  node.dataset.optional = b.optional ? "true" : "false";
  setError(node, error);
  return node;
}

// Groups of inputs get a fieldset; a multi-select is one control (its search box).
const GROUPED = new Set(["checkboxes", "radio_buttons"]);

export function setError(inputNode, message) {
  const slot = inputNode.querySelector(":scope > .field-error");
  if (!slot) return;
  slot.textContent = message || "";
  inputNode.classList.toggle("invalid", Boolean(message));
  for (const c of inputNode.querySelectorAll("input, textarea, select")) {
    if (message) c.setAttribute("aria-invalid", "true");
    else c.removeAttribute("aria-invalid");
  }
}

// The state Slack would hold for an element, before the person touched it.
function initialState(e, b, ctx) {
  const saved = ctx.state?.[b.block_id]?.[e.action_id];
  if (saved) return saved;
  return {
    value: e.initial_value ?? null,
    selected_option: e.initial_option ?? null,
    selected_options: e.initial_options ?? [],
    selected_user: e.initial_user ?? null,
    selected_users: e.initial_users ?? [],
    selected_conversation: e.initial_conversation ?? null,
    selected_conversations: e.initial_conversations ?? [],
    selected_channel: e.initial_channel ?? null,
    selected_channels: e.initial_channels ?? [],
    selected_date: e.initial_date ?? null,
    selected_time: e.initial_time ?? null,
    selected_date_time: e.initial_date_time ?? null,
  };
}

function stateful(node, e, b, read) {
  node.dataset.actionId = e.action_id || "";
  node.dataset.stateBlock = b.block_id || "";
  node.dataset.kind = e.type;
  node._read = () => ({ type: e.type, ...read() });
  return node;
}

function element(e, b, ctx, opts = {}) {
  const make = ELEMENTS[e.type];
  if (!make) return el("span", { class: "unsupported", text: `[${e.type}]` });
  return make(e, b, ctx, opts);
}

// The page's click request from an element's state: one option, several, or a value.
function asClick(state) {
  if ("selected_option" in state) return { selected_option: state.selected_option };
  if ("selected_options" in state) return { value: state.selected_options };
  const key = Object.keys(state).find((k) => k !== "type");
  return { value: key ? state[key] : null };
}

function fire(ctx, e, b, extra) {
  ctx.act?.({ action_id: e.action_id, block_id: b.block_id, type: e.type, ...extra });
}

async function confirmed(e, ctx) {
  return !e.confirm || (ctx.confirm ? await ctx.confirm(e.confirm) : true);
}

function optionsOf(e) {
  const groups = e.option_groups?.length ? e.option_groups : [{ options: e.options || [] }];
  return groups.map((g) => ({ label: plainString(g.label), options: g.options || [] }));
}

function userOptions(ctx) {
  return (ctx.people || []).map((p) => ({ text: { type: "plain_text", text: p.real_name }, value: p.id }));
}

function conversationOptions(e, ctx, channelsOnly) {
  const include = e.filter?.include;
  return (ctx.directory || [])
    .filter((c) => channelsOnly || !include || include.includes(c.is_private ? "private" : "public"))
    .filter((c) => !(channelsOnly && c.is_private))
    .map((c) => ({ text: { type: "plain_text", text: c.is_private ? `${c.name} (private)` : `#${c.name}` }, value: c.id }));
}

function select(e, b, ctx, opts, groups, current, toState) {
  const control = el("select", {
    id: opts.id,
    "aria-describedby": opts.describedBy || null,
    "aria-label": opts.id ? null : plainString(e.placeholder) || "Choose",
    "aria-required": opts.required ? "true" : null,
  });
  control.append(el("option", { value: "", text: plainString(e.placeholder) || "Choose an option" }));
  const byValue = new Map();
  for (const group of groups) {
    const parent = group.label ? el("optgroup", { label: group.label }) : control;
    if (parent !== control) control.append(parent);
    for (const o of group.options) {
      byValue.set(o.value, o);
      parent.append(el("option", { value: o.value, text: plainString(o.text), selected: o.value === current }));
    }
  }
  const wrap = stateful(el("div", { class: "select-wrap" }, control), e, b, () =>
    toState(control.value ? byValue.get(control.value) : null),
  );
  control.addEventListener("change", () => {
    if (!(opts.inAction || opts.dispatch) || !control.value) return;
    fire(ctx, e, b, asClick(toState(byValue.get(control.value))));
  });
  return wrap;
}

// Slack's multi-select: a box holding the picked values as chips, which opens a
// searchable list on click. Options already picked leave the list; Backspace in the empty
// search removes the last chip; max_selected_items stops the picking, as in Slack.
function multiPicker(e, b, ctx, opts, options, current, toState) {
  const inputId = opts.id || nextId("ms");
  const listId = nextId("ms-list");
  const byValue = new Map(options.map((o) => [o.value, o]));
  let picked = current.filter((v) => byValue.has(v));
  let active = -1;
  let shown = [];
  const placeholder = plainString(e.placeholder) || "Select options";
  const search = el("input", {
    type: "text",
    id: inputId,
    class: "ms-search",
    role: "combobox",
    autocomplete: "off",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    "aria-label": opts.id ? null : placeholder,
    "aria-describedby": opts.describedBy || null,
    "aria-required": opts.required ? "true" : null,
  });
  const chipRow = el("span", { class: "ms-chips" });
  const box = el("div", { class: "ms-box" }, chipRow, search, el("span", { class: "ms-caret", "aria-hidden": "true" }));
  const menu = el("ul", { class: "ms-menu", id: listId, role: "listbox", "aria-multiselectable": "true", hidden: true });
  const wrap = el("div", { class: "multi-select" }, box, menu);
  const limit = e.max_selected_items;
  const full = () => Boolean(limit && picked.length >= limit);
  const read = () => toState(picked.map((v) => byValue.get(v)));
  const changed = () => {
    drawChips();
    drawMenu();
    if (opts.inAction || opts.dispatch) fire(ctx, e, b, asClick(read()));
  };
  const choose = (value) => {
    if (picked.includes(value) || full()) return;
    picked = [...picked, value];
    search.value = "";
    changed();
    search.focus();
  };
  const unpick = (value) => {
    picked = picked.filter((v) => v !== value);
    changed();
    search.focus();
  };
  function drawChips() {
    chipRow.replaceChildren(
      ...picked.map((v) => {
        const name = plainString(byValue.get(v).text);
        return el(
          "span",
          { class: "ms-chip" },
          el("span", { class: "ms-chip-text" }, textObject(byValue.get(v).text, ctx)),
          el("button", {
            type: "button",
            class: "ms-remove",
            "aria-label": `Remove ${name}`,
            tabindex: "-1",
            text: "×",
            onmousedown: (ev) => {
              ev.preventDefault(); // keeps focus in the search, and the list as it is
              ev.stopPropagation();
            },
            onclick: (ev) => {
              ev.stopPropagation();
              unpick(v);
            },
          }),
        );
      }),
    );
    search.placeholder = picked.length ? "" : placeholder;
    wrap.classList.toggle("has-value", picked.length > 0);
  }
  function drawMenu() {
    if (menu.hidden) return;
    const query = search.value.trim().toLowerCase();
    shown = options.filter((o) => !picked.includes(o.value) && plainString(o.text).toLowerCase().includes(query));
    if (active >= shown.length) active = shown.length - 1;
    const items = shown.map((o, i) =>
      el(
        "li",
        {
          id: `${listId}-${i}`,
          role: "option",
          class: `ms-option${i === active ? " active" : ""}`,
          "aria-selected": "false",
          onmousedown: (ev) => ev.preventDefault(),
          onclick: () => choose(o.value),
        },
        textObject(o.text, ctx),
      ),
    );
    let note = null;
    if (full()) note = `You can pick up to ${limit}.`;
    else if (!shown.length) note = query ? "No matches" : "Nothing left to pick";
    menu.replaceChildren(...(full() ? [] : items), note ? el("li", { class: "ms-note", text: note }) : null);
    if (active >= 0 && shown[active] && !full()) search.setAttribute("aria-activedescendant", `${listId}-${active}`);
    else search.removeAttribute("aria-activedescendant");
  }
  const open = () => {
    if (!menu.hidden) return;
    menu.hidden = false;
    active = -1;
    search.setAttribute("aria-expanded", "true");
    wrap.classList.add("open");
    drawMenu();
  };
  const close = () => {
    menu.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    wrap.classList.remove("open");
    search.value = "";
  };
  box.addEventListener("mousedown", (ev) => {
    if (ev.target !== search) ev.preventDefault();
    search.focus();
    if (menu.hidden) open();
    else if (ev.target !== search) close();
  });
  search.addEventListener("click", open);
  search.addEventListener("input", () => {
    open();
    active = search.value ? 0 : -1;
    drawMenu();
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      open();
      const step = ev.key === "ArrowDown" ? 1 : -1;
      active = shown.length ? (active + step + shown.length) % shown.length : -1;
      drawMenu();
      menu.querySelector(".ms-option.active")?.scrollIntoView({ block: "nearest" });
    } else if (ev.key === "Enter") {
      ev.preventDefault(); // never submits the modal: Enter picks, as in Slack
      if (!menu.hidden && shown[active]) choose(shown[active].value);
      else open();
    } else if (ev.key === "Escape" && !menu.hidden) {
      ev.preventDefault();
      ev.stopPropagation(); // closes the list, not the modal
      close();
    } else if (ev.key === "Backspace" && !search.value && picked.length) {
      unpick(picked.at(-1));
    }
  });
  search.addEventListener("blur", close);
  drawChips();
  return stateful(wrap, e, b, read);
}

function choiceList(e, b, ctx, opts, multiple, current) {
  const name = nextId("choice");
  const list = el("div", {
    class: multiple ? "checkboxes" : "radios",
    role: multiple ? "group" : "radiogroup",
    "aria-labelledby": opts.labelId || null,
    "aria-describedby": opts.describedBy || null,
  });
  const inputs = (e.options || []).map((o) => {
    const id = nextId("opt");
    const input = el("input", {
      type: multiple ? "checkbox" : "radio",
      id,
      name,
      value: o.value,
      checked: current.includes(o.value),
    });
    list.append(
      el(
        "div",
        { class: "choice" },
        input,
        el(
          "label",
          { for: id },
          el("span", { class: "choice-text" }, textObject(o.text, ctx)),
          o.description ? el("span", { class: "choice-description" }, textObject(o.description, ctx)) : null,
        ),
      ),
    );
    return { input, option: o };
  });
  const read = () => {
    const picked = inputs.filter((x) => x.input.checked).map((x) => x.option);
    return multiple ? { selected_options: picked } : { selected_option: picked[0] || null };
  };
  list.addEventListener("change", () => {
    if (opts.inAction || opts.dispatch) fire(ctx, e, b, asClick(read()));
  });
  return stateful(list, e, b, read);
}

const ELEMENTS = {
  button: (e, b, ctx) => {
    const cls = `btn ${e.style === "primary" ? "btn-primary" : e.style === "danger" ? "btn-danger" : "btn-default"}`;
    const button = el("button", { type: "button", class: cls, "aria-label": e.accessibility_label || null }, textObject(e.text, ctx));
    button.dataset.actionId = e.action_id || "";
    button.addEventListener("click", async () => {
      if (!(await confirmed(e, ctx))) return;
      if (e.url) ctx.openUrl?.(e.url);
      fire(ctx, e, b, { value: e.value ?? null, button: true });
    });
    return button;
  },
  overflow: (e, b, ctx) => {
    const menuId = nextId("menu");
    const toggle = el("button", {
      type: "button",
      class: "btn btn-default overflow-toggle",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": menuId,
      "aria-label": "More actions",
      text: "⋯",
    });
    const menu = el("div", { class: "overflow-menu", role: "menu", id: menuId, hidden: true });
    const close = () => {
      menu.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
    };
    for (const o of e.options || []) {
      menu.append(
        el(
          "button",
          {
            type: "button",
            role: "menuitem",
            onclick: async () => {
              close();
              if (!(await confirmed(e, ctx))) return;
              if (o.url) ctx.openUrl?.(o.url);
              fire(ctx, e, b, { selected_option: o });
            },
          },
          textObject(o.text, ctx),
        ),
      );
    }
    toggle.addEventListener("click", () => {
      menu.hidden = !menu.hidden;
      toggle.setAttribute("aria-expanded", String(!menu.hidden));
      if (!menu.hidden) menu.querySelector("button")?.focus();
    });
    menu.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        ev.stopPropagation();
        close();
        toggle.focus();
      }
    });
    return el("span", { class: "overflow" }, toggle, menu);
  },
  plain_text_input: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    const attrs = {
      id: opts.id,
      placeholder: plainString(e.placeholder) || null,
      maxlength: e.max_length ?? null,
      minlength: e.min_length ?? null,
      "aria-describedby": opts.describedBy || null,
      "aria-required": opts.required ? "true" : null,
    };
    const control = e.multiline ? el("textarea", { ...attrs, rows: 3 }) : el("input", { ...attrs, type: "text" });
    control.value = st.value ?? "";
    if (e.focus_on_load) control.dataset.autofocus = "true";
    if (opts.dispatch) {
      control.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" && !e.multiline) {
          ev.preventDefault();
          fire(ctx, e, b, { value: control.value });
        }
      });
    }
    return stateful(control, e, b, () => ({ value: control.value === "" ? null : control.value }));
  },
  email_text_input: (e, b, ctx, opts) => simpleInput("email", e, b, ctx, opts),
  url_text_input: (e, b, ctx, opts) => simpleInput("url", e, b, ctx, opts),
  number_input: (e, b, ctx, opts) => {
    const control = simpleInput("number", e, b, ctx, opts);
    control.step = e.is_decimal_allowed ? "any" : "1";
    if (e.min_value != null) control.min = e.min_value;
    if (e.max_value != null) control.max = e.max_value;
    control.inputMode = e.is_decimal_allowed ? "decimal" : "numeric";
    return control;
  },
  datepicker: (e, b, ctx, opts) => pickerInput("date", "selected_date", e, b, ctx, opts),
  timepicker: (e, b, ctx, opts) => pickerInput("time", "selected_time", e, b, ctx, opts),
  datetimepicker: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    const control = el("input", { type: "datetime-local", id: opts.id, "aria-describedby": opts.describedBy || null });
    if (st.selected_date_time) {
      const d = new Date(st.selected_date_time * 1000);
      control.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    }
    const read = () => ({
      selected_date_time: control.value ? Math.floor(new Date(control.value).getTime() / 1000) : null,
    });
    control.addEventListener("change", () => {
      if (opts.inAction || opts.dispatch) fire(ctx, e, b, asClick(read()));
    });
    return stateful(control, e, b, read);
  },
  static_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return select(e, b, ctx, opts, optionsOf(e), st.selected_option?.value, (o) => ({ selected_option: o }));
  },
  external_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    const current = st.selected_option ? [st.selected_option] : [];
    return select(e, b, ctx, opts, [{ options: current }], st.selected_option?.value, (o) => ({ selected_option: o }));
  },
  users_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return select(e, b, ctx, opts, [{ options: userOptions(ctx) }], st.selected_user, (o) => ({
      selected_user: o ? o.value : null,
    }));
  },
  conversations_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    const current = st.selected_conversation ?? (e.default_to_current_conversation ? ctx.currentChannel : null);
    return select(e, b, ctx, opts, [{ options: conversationOptions(e, ctx, false) }], current, (o) => ({
      selected_conversation: o ? o.value : null,
    }));
  },
  channels_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return select(e, b, ctx, opts, [{ options: conversationOptions(e, ctx, true) }], st.selected_channel, (o) => ({
      selected_channel: o ? o.value : null,
    }));
  },
  multi_static_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    const options = optionsOf(e).flatMap((g) => g.options);
    return multiPicker(e, b, ctx, opts, options, (st.selected_options || []).map((o) => o.value), (picked) => ({
      selected_options: picked,
    }));
  },
  multi_users_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return multiPicker(e, b, ctx, opts, userOptions(ctx), st.selected_users || [], (picked) => ({
      selected_users: picked.map((o) => o.value),
    }));
  },
  multi_conversations_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return multiPicker(e, b, ctx, opts, conversationOptions(e, ctx, false), st.selected_conversations || [], (picked) => ({
      selected_conversations: picked.map((o) => o.value),
    }));
  },
  multi_channels_select: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return multiPicker(e, b, ctx, opts, conversationOptions(e, ctx, true), st.selected_channels || [], (picked) => ({
      selected_channels: picked.map((o) => o.value),
    }));
  },
  checkboxes: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return choiceList(e, b, ctx, opts, true, (st.selected_options || []).map((o) => o.value));
  },
  radio_buttons: (e, b, ctx, opts) => {
    const st = initialState(e, b, ctx);
    return choiceList(e, b, ctx, opts, false, st.selected_option ? [st.selected_option.value] : []);
  },
  image: (e) => el("img", { src: e.image_url, alt: e.alt_text || "", class: "accessory-image" }),
};

function simpleInput(type, e, b, ctx, opts) {
  const st = initialState(e, b, ctx);
  const control = el("input", {
    type,
    id: opts.id,
    placeholder: plainString(e.placeholder) || null,
    "aria-describedby": opts.describedBy || null,
    "aria-required": opts.required ? "true" : null,
  });
  control.value = st.value ?? e.initial_value ?? "";
  return stateful(control, e, b, () => ({ value: control.value === "" ? null : control.value }));
}

function pickerInput(type, key, e, b, ctx, opts) {
  const st = initialState(e, b, ctx);
  const control = el("input", {
    type,
    id: opts.id,
    "aria-describedby": opts.describedBy || null,
    "aria-label": opts.id ? null : plainString(e.placeholder) || type,
    "aria-required": opts.required ? "true" : null,
  });
  control.value = st[key] ?? "";
  const read = () => ({ [key]: control.value || null });
  control.addEventListener("change", () => {
    if ((opts.inAction || opts.dispatch) && control.value) fire(ctx, e, b, asClick(read()));
  });
  return stateful(control, e, b, read);
}

// ---------------------------------------------------------------------------- reading

// {block_id: {action_id: state}} of every stateful element under root (Slack's shape).
export function collectValues(root) {
  const values = {};
  for (const node of root.querySelectorAll("[data-state-block]")) {
    if (!node._read) continue;
    const block = node.dataset.stateBlock;
    (values[block] ||= {})[node.dataset.actionId] = node._read();
  }
  return values;
}

function isEmpty(state) {
  return Object.entries(state).every(
    ([k, v]) => k === "type" || v === null || v === "" || (Array.isArray(v) && v.length === 0),
  );
}

// What Slack's client says before it lets a form be submitted: {block_id: message}.
export function clientProblems(root) {
  const problems = {};
  for (const block of root.querySelectorAll(".input-block")) {
    const node = block.querySelector("[data-state-block]");
    if (!node?._read) continue;
    const state = node._read();
    const control = node.matches("input, textarea") ? node : null;
    if (block.dataset.optional !== "true" && isEmpty(state)) {
      problems[node.dataset.stateBlock] = "Please complete this required field.";
    } else if (control?.minLength > 0 && control.value && control.value.length < control.minLength) {
      problems[node.dataset.stateBlock] = `Please use at least ${control.minLength} characters.`;
    }
  }
  return problems;
}

export function showErrors(root, errors) {
  for (const block of root.querySelectorAll(".input-block")) {
    setError(block, errors[block.dataset.blockId]);
  }
}
