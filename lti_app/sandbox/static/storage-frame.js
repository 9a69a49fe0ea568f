/* Sandbox LMS side of 1EdTech Platform Storage (lti.put_data / lti.get_data).
 * Answers only the tool's origin, only to the frame that asked (event.source, with
 * targetOrigin = event.origin), echoing message_id; values live in sessionStorage,
 * keyed per tool origin so two tools cannot read each other's values. */
(function () {
  var cfg = JSON.parse(document.getElementById("storage-config").textContent);
  var SUBJECTS = ["lti.put_data", "lti.get_data", "lti.capabilities"];

  function storageKey(origin, key) { return "lti-platform-storage:" + origin + ":" + key; }

  function answer(data, origin) {
    var reply = {subject: data.subject + ".response", message_id: data.message_id};
    if (data.subject === "lti.capabilities") {
      reply.supported_messages = [
        {subject: "lti.put_data", frame: "post_message_forwarding"},
        {subject: "lti.get_data", frame: "post_message_forwarding"}];
      return reply;
    }
    if (typeof data.key !== "string" || !data.key) {
      reply.error = {code: "bad_request", message: "key must be a non-empty string"};
      return reply;
    }
    reply.key = data.key;
    try {
      if (data.subject === "lti.put_data") {
        sessionStorage.setItem(storageKey(origin, data.key), JSON.stringify(data.value));
        reply.value = data.value;
      } else {
        var raw = sessionStorage.getItem(storageKey(origin, data.key));
        reply.value = raw === null ? null : JSON.parse(raw);
      }
    } catch (e) {
      reply.error = {code: "storage_exhaustion", message: String(e)};
    }
    return reply;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== cfg.toolOrigin || !event.source) return;
    var data = event.data;
    if (!data || typeof data !== "object" || SUBJECTS.indexOf(data.subject) < 0) return;
    if (typeof data.message_id !== "string" && typeof data.message_id !== "number") return;
    event.source.postMessage(answer(data, event.origin), event.origin);
  });
})();
