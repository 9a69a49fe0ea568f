// Case discussion: new and changed posts appear without a reload. Polls the
// thread's JSON endpoint with the session token in an Authorization header (inside
// an LMS iframe third-party cookies may be blocked, so none are used; a header keeps
// the token out of access logs). The page works without it.
(function () {
  "use strict";
  var list = document.getElementById("cd-posts");
  if (!list || list.getAttribute("data-paused") === "1" || !window.fetch) { return; }
  var base = list.getAttribute("data-updates");
  var cursor = list.getAttribute("data-cursor") || "0";
  var token = list.getAttribute("data-token");
  var delay = 5000, maxDelay = 60000, timer = null;

  function replaceTokens(newToken) {
    // Forms on the page carry the token too: keep them valid for a long-open page.
    if (!newToken || newToken === token) { return; }
    token = newToken;
    document.querySelectorAll('input[name="t"]').forEach(function (input) { input.value = newToken; });
  }

  function place(post) {
    var holder = document.createElement("ol");
    holder.innerHTML = post.html;  // rendered by the server: sanitised and escaped
    var fresh = holder.firstElementChild;
    if (!fresh) { return; }
    var old = document.getElementById("post-" + post.id);
    if (old) {
      if (old.contains(document.activeElement)) { return; }  // someone is editing it
      old.replaceWith(fresh);
    } else {
      list.appendChild(fresh);
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(poll, document.hidden ? Math.max(delay, 30000) : delay);
  }

  function poll() {
    var url = base + "?since=" + encodeURIComponent(cursor);
    fetch(url, { credentials: "omit", cache: "no-store",
                 headers: { "Accept": "application/json", "Authorization": "Bearer " + token } })
      .then(function (resp) {
        if (!resp.ok) { throw new Error("status " + resp.status); }
        return resp.json();
      })
      .then(function (data) {
        (data.posts || []).forEach(place);
        cursor = String(data.cursor);
        replaceTokens(data.token);
        if (data.locked) {
          var form = document.getElementById("cd-reply");
          if (form) { form.hidden = true; }
        }
        delay = 5000;
        schedule();
      })
      .catch(function () {
        delay = Math.min(maxDelay, delay * 2);  // back off; a 401 means the session ended
        schedule();
      });
  }

  var live = document.getElementById("cd-live");
  if (live) { live.hidden = false; }
  schedule();
})();
