// Draft groups: drag people between groups (or use the selects), and see rule
// violations and scores update live. The server checks every arrangement; this
// script only asks it (POST …/check) and shows the answer. Without JavaScript
// the selects and "Save moves" do the same job.
(function () {
  "use strict";
  var form = document.getElementById("grouping-moves");
  if (!form) { return; }
  var token = form.querySelector("input[name=t]").value;
  var live = form.querySelector("[data-live]");
  var articles = Array.prototype.slice.call(form.querySelectorAll("article[data-group]"));
  var pending = null;

  function arrangement() {
    var byGroup = {}, order = [];
    articles.forEach(function (a) { byGroup[a.dataset.group] = []; order.push(a.dataset.group); });
    form.querySelectorAll("select[data-move]").forEach(function (sel) {
      var person = sel.closest("li").dataset.person;
      var target = sel.value;
      if (!byGroup[target]) { byGroup[target] = []; order.push(target); }
      byGroup[target].push(person);
    });
    return { order: order, groups: order.map(function (k) { return byGroup[k]; }) };
  }

  function text(el, value) { el.textContent = value; return el; }

  function show(result, layout) {
    var newcomers = [];
    layout.order.forEach(function (key, i) {
      var check = result.groups[i];
      var article = articles.filter(function (a) { return a.dataset.group === key; })[0];
      if (!article) { if (check && layout.groups[i].length) { newcomers.push(check); } return; }
      var list = article.querySelector("[data-violations]");
      list.innerHTML = "";
      if (!layout.groups[i].length) {
        text(article.querySelector("[data-score]"), "empty: will be removed");
        article.classList.remove("flagged");
        return;
      }
      check.violations.forEach(function (v) {
        list.appendChild(text(document.createElement("li"), "\u26a0 " + v));
      });
      article.classList.toggle("flagged", check.violations.length > 0);
      var reasons = article.querySelector("[data-reasons]");
      if (!reasons) {
        reasons = document.createElement("ul");
        reasons.className = "reasons";
        reasons.setAttribute("data-reasons", "");
        article.querySelector("[data-members]").after(reasons);
      }
      reasons.innerHTML = "";
      check.reasons.forEach(function (r) {
        reasons.appendChild(text(document.createElement("li"), r));
      });
      text(article.querySelector("[data-score]"), "score " + check.score.toFixed(2));
    });
    var flagged = result.groups.filter(function (c) { return c.violations.length; }).length;
    var message = "Unsaved changes. ";
    message += flagged ? flagged + " group(s) break a rule." : "No rule is broken.";
    newcomers.forEach(function (c) {
      message += " New group: score " + c.score.toFixed(2) +
        (c.violations.length ? " (" + c.violations.join("; ") + ")" : "") + ".";
    });
    text(live, message);
  }

  function check() {
    var layout = arrangement();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.checkUrl, {
      method: "POST", signal: pending.signal,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": "Bearer " + token },
      body: JSON.stringify({ groups: layout.groups.filter(function (g) { return g.length; }) })
    }).then(function (resp) {
      if (!resp.ok) { throw new Error("check failed: " + resp.status); }
      return resp.json();
    }).then(function (result) {
      // The server saw only non-empty groups: line the answers up again.
      var i = 0, full = [];
      layout.groups.forEach(function (g) { full.push(g.length ? result.groups[i++] : null); });
      show({ groups: full.map(function (c) {
        return c || { score: 0, violations: [], reasons: [] };
      }) }, layout);
    }).catch(function (err) {
      if (err.name !== "AbortError") { text(live, "Could not check the groups; save to see the result."); }
    });
  }

  form.addEventListener("change", function (ev) {
    if (!ev.target.matches("select[data-move]")) { return; }
    var li = ev.target.closest("li");
    var target = articles.filter(function (a) { return a.dataset.group === ev.target.value; })[0];
    if (target) { target.querySelector("[data-members]").appendChild(li); }
    check();
  });

  // Drag and drop: dropping a person on a group sets their select, then checks.
  form.addEventListener("dragstart", function (ev) {
    var li = ev.target.closest && ev.target.closest("li[data-person]");
    if (!li) { return; }
    ev.dataTransfer.setData("text/plain", li.dataset.person);
    ev.dataTransfer.effectAllowed = "move";
    li.classList.add("dragging");
  });
  form.addEventListener("dragend", function (ev) {
    var li = ev.target.closest && ev.target.closest("li[data-person]");
    if (li) { li.classList.remove("dragging"); }
  });
  articles.forEach(function (article) {
    article.addEventListener("dragover", function (ev) { ev.preventDefault(); article.classList.add("drop"); });
    article.addEventListener("dragleave", function () { article.classList.remove("drop"); });
    article.addEventListener("drop", function (ev) {
      ev.preventDefault();
      article.classList.remove("drop");
      var person = ev.dataTransfer.getData("text/plain");
      var li = form.querySelector('li[data-person="' + CSS.escape(person) + '"]');
      if (!li) { return; }
      li.querySelector("select[data-move]").value = article.dataset.group;
      article.querySelector("[data-members]").appendChild(li);
      check();
    });
  });
})();
