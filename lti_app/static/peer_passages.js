// Comments on passages of a peer's work (review page). A selection inside #pr-text
// becomes a passage: [start, end) offsets into the text of #pr-text, counted as
// lti_app/domain/passages.py counts them — the text nodes in document order, in
// Unicode code points. The server checks every passage against the text it stored;
// nothing here is trusted. Without this script the review form works as before.
(function () {
  "use strict";
  var text = document.getElementById("pr-text");
  var help = document.getElementById("pr-anchor-help");
  var add = document.getElementById("pr-anchor-add");
  var list = document.getElementById("pr-anchors");
  var tpl = document.getElementById("pr-anchor-template");
  var msg = document.getElementById("pr-anchor-msg");
  if (!text || !help || !add || !list || !tpl) return;
  help.hidden = false;

  function points(s) { return Array.from(s).length; }

  function offset(node, off) {
    var r = document.createRange();
    r.setStart(text, 0);
    r.setEnd(node, off);
    return points(r.toString());
  }

  function taken() {
    return Array.prototype.map.call(list.querySelectorAll(".pr-anchor-item"), function (li) {
      return [Number(li.querySelector('[name="pa-start"]').value),
              Number(li.querySelector('[name="pa-end"]').value)];
    });
  }

  function say(words) { msg.textContent = words; }

  // The passages commented on so far stay highlighted in the work (CSS Custom
  // Highlight API where the browser has it: the work's DOM, and so its offsets, stay
  // untouched).
  var marks = window.CSS && CSS.highlights && window.Highlight ? new Highlight() : null;
  if (marks) CSS.highlights.set("pr-anchor", marks);

  function inside(range) {
    return text.contains(range.startContainer) && text.contains(range.endContainer);
  }

  // The last selection made in the work: pressing the button (or a tap on a touch
  // screen) may clear the live selection before the click arrives.
  var last = null;
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (sel && sel.rangeCount && !sel.isCollapsed && inside(sel.getRangeAt(0))) {
      last = sel.getRangeAt(0).cloneRange();
    }
  });

  var n = list.children.length;
  add.addEventListener("click", function () {
    var sel = window.getSelection();
    var range = sel && sel.rangeCount && !sel.isCollapsed ? sel.getRangeAt(0) : last;
    if (!range || range.collapsed) {
      say("Select a passage of the work first.");
      return;
    }
    if (!inside(range)) {
      say("Select a passage inside the work itself.");
      return;
    }
    var quote = range.toString();
    if (!quote.trim()) {
      say("Select some words of the work.");
      return;
    }
    var start = offset(range.startContainer, range.startOffset);
    var end = start + points(quote);
    var clash = taken().some(function (p) { return start < p[1] && p[0] < end; });
    if (clash) {
      say("That passage overlaps one you already commented on. Select another.");
      return;
    }
    n += 1;
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.querySelector('[name="pa-start"]').value = String(start);
    li.querySelector('[name="pa-end"]').value = String(end);
    li.querySelector(".pr-anchor-quote").textContent = quote.length > 90 ? quote.slice(0, 89) + "…" : quote;
    var area = li.querySelector("textarea");
    area.id = "pa-new-" + n;
    li.querySelector("label").htmlFor = area.id;
    list.appendChild(li);
    if (marks) {
      li.prAnchorRange = range.cloneRange();
      marks.add(li.prAnchorRange);
    }
    if (sel) sel.removeAllRanges();
    last = null;
    say("Passage added: write your comment on it.");
    area.focus();
  });

  list.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".pr-anchor-remove");
    if (!btn) return;
    var li = btn.closest(".pr-anchor-item");
    if (marks && li.prAnchorRange) marks.delete(li.prAnchorRange);
    li.remove();
    say("Comment on the passage removed.");
    add.focus();
  });
})();
