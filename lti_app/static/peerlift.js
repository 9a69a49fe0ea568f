/* Peerlift page behaviour shared by every page (loaded by templates/base.html).
 *
 * 1. Fit the LMS frame: post {subject: "lti.frameResize", height} to the parent
 *    whenever the page's height changes (ResizeObserver). Sent only to the launched
 *    person's platform origins the page names (#peerlift-frame), never to "*".
 * 2. One-time confirmations (#done, role="status"): the page drops "confirmed=" from its
 *    address so a reload does not say it again, shows the message where the action
 *    sends the eye (before the element the address's #fragment names), scrolls it
 *    into view at once (never later, so nothing moves under a pointer) and
 *    re-announces it to screen readers (keeping its height, so nothing moves).
 * 3. Wide tables scroll inside their own box, never the whole frame sideways; a box
 *    that does scroll can be reached with the keyboard.
 * 4. Staff activity pages in tabs: the "On this page" index (nav[data-tabs]) becomes a
 *    WAI-ARIA tablist, one tab per distinct data-tab of the page's sections (in page
 *    order), and one tab's sections show at a time. The address's #fragment picks the
 *    tab holding that element (so a redirect back to "#pr-rubric" opens the tab where
 *    the person acted, confirmation included; without one, the tab holding a
 *    [data-flash] message of the answer, else the first); choosing a tab writes its
 *    #fragment with history.replaceState (no scroll jump). Left/Right/Home/End move
 *    between tabs (roving tabindex). The frame follows a switch (ResizeObserver, 1.).
 * Everything works without this script except the frame's growth.
 */
(function () {
  "use strict";

  function frameOrigins() {
    var el = document.getElementById("peerlift-frame");
    if (!el) return [];
    try { return JSON.parse(el.textContent).origins || []; } catch (e) { return []; }
  }

  function fitFrame() {
    var parent = window.parent;
    var origins = frameOrigins();
    if (!parent || parent === window || !origins.length) return;
    var last = 0;
    var queued = false;
    function height() {
      return Math.ceil(document.body.getBoundingClientRect().height);
    }
    function send() {
      queued = false;
      var h = height();
      if (h === last) return;
      last = h;
      origins.forEach(function (origin) {
        // A target origin that is not the parent's drops the message, so only the
        // platform that framed us hears it.
        try { parent.postMessage({subject: "lti.frameResize", height: h}, origin); } catch (e) { /* bad origin */ }
      });
    }
    function queue() {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(send);
    }
    if (window.ResizeObserver) new ResizeObserver(queue).observe(document.body);
    window.addEventListener("load", queue);
    document.addEventListener("toggle", queue, true);  // <details> opened or closed
    queue();
  }

  function confirmation() {
    var done = document.getElementById("done");
    var url = new URL(window.location.href);
    if (url.searchParams.has("confirmed")) {
      url.searchParams.delete("confirmed");
      history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    }
    if (!done) return;
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (target && target !== done && !target.contains(done) && target.parentNode) {
      target.parentNode.insertBefore(done, target);
    }
    // Bring it into view now, before anyone can act on the page: a scroll later would
    // move what a person (or a test's click) is aiming at.
    done.scrollIntoView({block: "nearest"});
    // A live region announces changes, not what it held at load: say it again. The
    // message keeps its height while it is briefly empty, so nothing below it moves.
    var message = done.firstElementChild;
    var text = done.textContent.trim();
    message.style.minHeight = message.getBoundingClientRect().height + "px";
    message.textContent = "";
    window.setTimeout(function () {
      message.textContent = text;
      message.style.minHeight = "";
    }, 150);
  }

  function scrollingTables() {
    var tables = document.querySelectorAll("main table");
    var boxes = [];
    Array.prototype.forEach.call(tables, function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      boxes.push(box);
    });
    function mark() {
      boxes.forEach(function (box) {
        var table = box.querySelector("table");
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          var caption = table && table.caption ? table.caption.textContent.trim() : "";
          var label = table && table.getAttribute("aria-label");
          box.setAttribute("aria-label", (caption || label || "Table") + " (scrolls sideways)");
        } else if (!scrolls && box.getAttribute("role") === "region") {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      });
    }
    mark();
    window.addEventListener("resize", mark);
  }

  function staffTabs() {
    var nav = document.querySelector("nav.on-page[data-tabs]");
    if (!nav) return;
    var sections = Array.prototype.filter.call(
      document.querySelectorAll("main section[data-tab]"),
      function (s) { return !s.parentElement.closest("section[data-tab]"); });
    var names = [], members = {};
    sections.forEach(function (s) {
      var name = s.getAttribute("data-tab");
      if (!members[name]) { members[name] = []; names.push(name); }
      members[name].push(s);
    });
    if (names.length < 2) return;
    var list = document.createElement("div");
    list.className = "tabs";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Parts of this page");
    var tabs = [], panels = [];
    names.forEach(function (name) {
      var slug = "tab-" + name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = slug + "-tab";
      tab.className = "tab";
      tab.textContent = name;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", slug);
      var panel = document.createElement("div");
      panel.id = slug;
      panel.className = "tab-panel";
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      var first = members[name][0];
      first.parentNode.insertBefore(panel, first);
      members[name].forEach(function (s) { panel.appendChild(s); });
      list.appendChild(tab);
      tabs.push(tab);
      panels.push(panel);
    });
    nav.parentNode.insertBefore(list, nav);
    nav.hidden = true;

    function select(i, how) {
      tabs.forEach(function (tab, j) {
        var on = i === j;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        panels[j].hidden = !on;
      });
      if (how && how.focus) tabs[i].focus();
      if (how && how.remember) {
        history.replaceState(history.state, "", window.location.pathname + window.location.search + "#" + panels[i].id);
      }
    }
    function fromHash() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id ? document.getElementById(id) : null;
      var panel = target && (target.closest("[role=tabpanel]") || null);
      var i = panels.indexOf(panel);
      if (i < 0) return false;
      select(i);
      return true;
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(i, {remember: true}); });
      tab.addEventListener("keydown", function (event) {
        var to = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[event.key];
        if (to === undefined) return;
        event.preventDefault();
        select((to + tabs.length) % tabs.length, {focus: true, remember: true});
      });
    });
    // A link on the page to a section of another tab (href="#…") opens that tab.
    window.addEventListener("hashchange", fromHash);
    if (fromHash()) return;
    // No address to follow: the tab with a message of this answer (an error, say), else the first.
    var flash = document.querySelector("[role=tabpanel] [data-flash]");
    select(Math.max(0, flash ? panels.indexOf(flash.closest("[role=tabpanel]")) : 0));
  }

  function start() {
    staffTabs();
    confirmation();
    scrollingTables();
    fitFrame();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
