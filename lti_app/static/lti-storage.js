/* 1EdTech LTI Platform Storage (lti.put_data / lti.get_data) over postMessage.
 * Messages go only to the platform's origin, and answers are accepted only from it
 * and only with the message_id we sent. */
function PeerliftStorage(targetName, origin) {
  function frame() {
    var parent = window.opener || window.parent;
    if (!targetName || targetName === "_parent") return parent;
    try { return parent.frames[targetName] || parent; } catch (e) { return parent; }
  }
  function ask(subject, payload) {
    return new Promise(function (resolve, reject) {
      var target = frame();
      if (!target || target === window) { reject("no platform frame"); return; }
      var id = "peerlift-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      var timer = setTimeout(function () { done(); reject("timeout"); }, 3000);
      function done() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
      function onMessage(event) {
        if (event.origin !== origin) return;
        var data = event.data || {};
        if (data.message_id !== id || data.subject !== subject + ".response") return;
        done();
        if (data.error) reject(data.error); else resolve(data.value);
      }
      window.addEventListener("message", onMessage);
      payload.subject = subject;
      payload.message_id = id;
      target.postMessage(payload, origin);
    });
  }
  return {
    put: function (key, value) { return ask("lti.put_data", {key: key, value: value}); },
    get: function (key) { return ask("lti.get_data", {key: key}); }
  };
}
