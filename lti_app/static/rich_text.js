// A formatting toolbar for every <textarea data-rich>: the buttons (and Ctrl+B,
// Ctrl+I, Ctrl+K) put Markdown around the selection; the text stays what the
// person typed. "Preview" shows the text formatted under the field (rendered
// here for the supported subset; the server renders and sanitises on saving).
// Without this script the field's hint explains the same syntax.
(function () {
  "use strict";
  if (window.peerliftRichText) { return; }
  window.peerliftRichText = true;

  var BUTTONS = [
    { key: "b", label: "Bold", text: "B", run: function (t) { wrap(t, "**", "bold text"); } },
    { key: "i", label: "Italic", text: "I", run: function (t) { wrap(t, "*", "italic text"); } },
    { label: "Bulleted list", text: "• List", run: function (t) { prefixLines(t, function () { return "- "; }); } },
    { label: "Numbered list", text: "1. List", run: function (t) { prefixLines(t, function (n) { return (n + 1) + ". "; }); } },
    { key: "k", label: "Link", text: "Link", run: link },
    { label: "Quote", text: "“ Quote", run: function (t) { prefixLines(t, function () { return "> "; }); } }
  ];

  function changed(t) { t.dispatchEvent(new Event("input", { bubbles: true })); t.focus(); }

  function replace(t, start, end, text, selStart, selEnd) {
    t.focus();
    t.setSelectionRange(start, end);
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      t.setRangeText(text, start, end, "end");
    }
    t.setSelectionRange(selStart, selEnd);
    changed(t);
  }

  function wrap(t, mark, placeholder) {
    var s = t.selectionStart, e = t.selectionEnd, v = t.value;
    var chosen = v.slice(s, e);
    // Keep the marks next to the words: "**word** " not "**word **".
    var lead = chosen.match(/^\s*/)[0], trail = chosen.match(/\s*$/)[0];
    var inner = chosen.trim();
    if (inner && v.slice(s - mark.length, s) === mark && v.slice(e, e + mark.length) === mark) {
      replace(t, s - mark.length, e + mark.length, chosen, s - mark.length, e - mark.length);
      return;
    }
    var body = inner || placeholder;
    var text = lead + mark + body + mark + trail;
    var from = s + lead.length + mark.length;
    replace(t, s, e, text, from, from + body.length);
  }

  function prefixLines(t, prefix) {
    var v = t.value, s = t.selectionStart, e = t.selectionEnd;
    var start = v.lastIndexOf("\n", s - 1) + 1;
    var end = v.indexOf("\n", e);
    if (end < 0 || (e > s && v[e - 1] === "\n")) { end = end < 0 ? v.length : e - 1; }
    var lines = v.slice(start, end).split("\n");
    var out = lines.map(function (line, n) { return prefix(n) + line; }).join("\n");
    var before = start > 0 && v[start - 1] === "\n" && start > 1 && v[start - 2] !== "\n" ? "\n" : "";
    replace(t, start, end, before + out, start + before.length, start + before.length + out.length);
  }

  function link(t) {
    var s = t.selectionStart, e = t.selectionEnd;
    var text = t.value.slice(s, e).trim() || "link text";
    var url = window.prompt("Address of the link (https://…)", "https://");
    if (!url || url === "https://") { t.focus(); return; }
    var md = "[" + text + "](" + url.trim() + ")";
    replace(t, s, e, md, s + 1, s + 1 + text.length);
  }

  // -- preview: the supported subset (paragraphs, line breaks, bold, italic, lists,
  // links, quotes), every character escaped first, links only http(s)/mailto.
  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function inline(text) {
    var kept = [];
    var s = text.replace(/\\([!-\/:-@\[-`{-~])/g, function (m, c) {
      kept.push(esc(c));
      return "\u0000" + (kept.length - 1) + "\u0001";
    });
    s = esc(s);
    s = s.replace(/\[([^\]]+)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)/g,
      '<a href="$2" rel="noopener noreferrer">$1</a>');
    s = s.replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, "<strong>$1</strong>");
    s = s.replace(/\*(?=\S)([^*]*?\S)\*/g, "<em>$1</em>");
    s = s.replace(/(^|[^A-Za-z0-9])_(?=\S)([^_]*?\S)_(?![A-Za-z0-9])/g, "$1<em>$2</em>");
    return s.replace(/\u0000(\d+)\u0001/g, function (m, n) { return kept[+n]; });
  }

  function render(source) {
    return source.trim().split(/\n\s*\n/).map(function (block) {
      var lines = block.split("\n");
      if (lines.every(function (l) { return /^\s*[-*+]\s+/.test(l); })) {
        return "<ul>" + lines.map(function (l) { return "<li>" + inline(l.replace(/^\s*[-*+]\s+/, "")) + "</li>"; }).join("") + "</ul>";
      }
      if (lines.every(function (l) { return /^\s*\d+[.)]\s+/.test(l); })) {
        return "<ol>" + lines.map(function (l) { return "<li>" + inline(l.replace(/^\s*\d+[.)]\s+/, "")) + "</li>"; }).join("") + "</ol>";
      }
      if (lines.every(function (l) { return /^\s*>/.test(l); })) {
        return "<blockquote><p>" + lines.map(function (l) { return inline(l.replace(/^\s*>\s?/, "")); }).join("<br>") + "</p></blockquote>";
      }
      return "<p>" + lines.map(inline).join("<br>") + "</p>";
    }).join("");
  }

  function previewer(t, bar) {
    var shown = document.createElement("div");
    shown.className = "rich-preview";
    shown.id = t.id + "-preview";
    shown.hidden = true;
    shown.setAttribute("role", "region");
    shown.setAttribute("aria-label", "Preview");
    var hint = document.getElementById(t.id + "-format");
    (hint || t).insertAdjacentElement("afterend", shown);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "rich-button small secondary";
    button.textContent = "Preview";
    button.tabIndex = -1;
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", shown.id);
    function update() { shown.innerHTML = render(t.value) || "<p class=\"muted\">Nothing typed yet.</p>"; }
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      shown.hidden = !on;
      if (on) { update(); }
    });
    t.addEventListener("input", function () { if (!shown.hidden) { update(); } });
    bar.appendChild(button);
  }

  function toolbar(t) {
    var bar = document.createElement("span");
    bar.className = "rich-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", t.id);
    BUTTONS.forEach(function (b, n) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rich-button small secondary";
      button.textContent = b.text;
      button.setAttribute("aria-label", b.label + (b.key ? " (Ctrl+" + b.key.toUpperCase() + ")" : ""));
      button.title = button.getAttribute("aria-label");
      button.tabIndex = n === 0 ? 0 : -1;
      button.addEventListener("click", function () { b.run(t); });
      bar.appendChild(button);
    });
    // One tab stop for the toolbar; arrow keys move between its buttons.
    bar.addEventListener("keydown", function (ev) {
      var buttons = Array.prototype.slice.call(bar.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      var to = ev.key === "ArrowRight" ? at + 1 : ev.key === "ArrowLeft" ? at - 1
        : ev.key === "Home" ? 0 : ev.key === "End" ? buttons.length - 1 : null;
      if (to === null || at < 0) { return; }
      ev.preventDefault();
      to = (to + buttons.length) % buttons.length;
      buttons.forEach(function (b, n) { b.tabIndex = n === to ? 0 : -1; });
      buttons[to].focus();
    });
    previewer(t, bar);
    t.parentNode.insertBefore(bar, t);
    t.addEventListener("keydown", function (ev) {
      if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) { return; }
      var key = ev.key.toLowerCase();
      BUTTONS.forEach(function (b) {
        if (b.key === key) { ev.preventDefault(); b.run(t); }
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich]"), function (t) {
      if (!t.dataset.richReady) { t.dataset.richReady = "1"; toolbar(t); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
