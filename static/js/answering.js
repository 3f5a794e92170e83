// SPDX-License-Identifier: AGPL-3.0-or-later
/* The candidate's interview: device check, written-answer counter, and video answers that are
   recorded, kept in IndexedDB until the server confirms them, and uploaded with retries.
   Requests to the app (with the CSRF token) and the retry rules come from core.js. */
(function () {
  "use strict";

  var core = window.Openround;

  var MIME_TYPES = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
  var DB_NAME = "openround-interview";
  var STORE = "pending";
  var MAX_BACKOFF_MS = 60000;

  function format(message, value) {
    return (message || "").replace("%s", value);
  }

  function pickMimeType() {
    if (!window.MediaRecorder) return null;
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    for (var i = 0; i < MIME_TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(MIME_TYPES[i])) return MIME_TYPES[i];
    }
    return "";
  }

  function baseType(type) {
    return (type || "video/webm").split(";")[0].trim().toLowerCase();
  }

  // --- IndexedDB: a recording survives a reload or a crash until the server has confirmed it ---

  function openStore() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) return resolve(null);
      var request;
      try { request = indexedDB.open(DB_NAME, 1); } catch (e) { return resolve(null); }
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve(null); };
    });
  }

  function storeOp(mode, action) {
    return openStore().then(function (db) {
      if (!db) return null;
      return new Promise(function (resolve) {
        var tx = db.transaction(STORE, mode);
        var request = action(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : null); };
        tx.onerror = tx.onabort = function () { resolve(null); };
      });
    });
  }

  var pending = {
    get: function (key) { return storeOp("readonly", function (s) { return s.get(key); }); },
    put: function (key, value) { return storeOp("readwrite", function (s) { return s.put(value, key); }); },
    remove: function (key) { return storeOp("readwrite", function (s) { return s.delete(key); }); }
  };

  // --- device check ---

  function deviceCheck(root) {
    var preview = root.querySelector("[data-preview]");
    var level = root.querySelector("[data-level]");
    var status = root.querySelector("[data-status]");
    var denied = root.querySelector("[data-denied]");
    var messages = document.getElementById("device-messages").dataset;
    var resultUrl = root.dataset.resultUrl;

    function report(outcome) {
      core.postJson(resultUrl, { outcome: outcome }).catch(function () { /* counting is best effort */ });
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      denied.hidden = false;
      status.textContent = "";
      report("failed");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
      preview.srcObject = stream;
      status.textContent = messages.ok;
      report("passed");
      var AudioContextClass = window.AudioContext || window.webkitAudioContext;
      if (!AudioContextClass) return;
      var context = new AudioContextClass();
      var analyser = context.createAnalyser();
      analyser.fftSize = 512;
      context.createMediaStreamSource(stream).connect(analyser);
      var samples = new Uint8Array(analyser.fftSize);
      (function draw() {
        analyser.getByteTimeDomainData(samples);
        var peak = 0;
        for (var i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i] - 128));
        level.value = Math.min(100, Math.round((peak / 128) * 200));
        window.requestAnimationFrame(draw);
      })();
    }).catch(function (error) {
      denied.hidden = false;
      status.textContent = error && error.name === "NotFoundError" ? messages.nocamera : "";
      report("failed");
    });
  }

  // --- written answers: a live character counter (the server enforces the limit too) ---

  function textCounter(form) {
    var area = form.querySelector("textarea");
    var counter = form.querySelector("[data-counter]");
    if (!area || !counter) return;
    var max = parseInt(counter.dataset.max, 10);
    function update() {
      var left = max - area.value.length;
      counter.textContent = "(" + left + ")";
      counter.classList.toggle("over", left < 0);
    }
    area.addEventListener("input", update);
    update();
  }

  // --- video answers ---

  function answerRecorder(root) {
    var data = root.dataset;
    var messages = document.getElementById("recorder-messages").dataset;
    var live = root.querySelector("[data-live]");
    var playback = root.querySelector("[data-playback]");
    var timer = root.querySelector("[data-timer]");
    var status = root.querySelector("[data-status]");
    var progressWrap = root.querySelector("[data-progress-wrap]");
    var progress = root.querySelector("[data-progress]");
    var buttons = {};
    root.querySelectorAll("[data-action]").forEach(function (el) { buttons[el.dataset.action] = el; });
    var thinkSeconds = data.thinkSeconds === "" ? null : parseInt(data.thinkSeconds, 10);
    var maxSeconds = parseInt(data.maxSeconds, 10);
    var attemptsLeft = parseInt(data.attemptsLeft, 10);
    var maxBytes = parseInt(data.maxBytes, 10) || 0;
    var storeKey = data.storeKey;
    var mimeType = pickMimeType();
    var stream = null;
    var recorder = null;
    var countdown = null;
    var stopTimer = null;
    var retryTimer = null;
    var uploading = null; // the record being sent: {blob, type, duration, key}

    function show(names) {
      ["record", "stop", "retake", "retry", "next"].forEach(function (name) {
        if (buttons[name]) buttons[name].hidden = names.indexOf(name) === -1;
      });
    }

    function say(text) { status.textContent = text; }

    function stopCamera() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      live.hidden = true;
    }

    function startCamera() {
      if (mimeType === null || !navigator.mediaDevices) {
        say(messages.unsupported);
        return Promise.reject(new Error("unsupported"));
      }
      return navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (s) {
        stream = s;
        live.srcObject = s;
        live.hidden = false;
        playback.hidden = true;
      }, function (error) {
        say(messages.denied);
        throw error;
      });
    }

    function think() {
      show(["record"]);
      if (thinkSeconds === null) {
        say(messages.ready);
        return;
      }
      var left = thinkSeconds;
      say(format(messages.thinking, left));
      countdown = window.setInterval(function () {
        left -= 1;
        if (left <= 0) {
          startRecording();
        } else {
          say(format(messages.thinking, left));
        }
      }, 1000);
    }

    function prepare() {
      startCamera().then(think, function () { show([]); });
    }

    function startRecording() {
      window.clearInterval(countdown);
      if (!stream) return;
      var chunks = [];
      try {
        recorder = mimeType ? new MediaRecorder(stream, { mimeType: mimeType }) : new MediaRecorder(stream);
      } catch (e) {
        say(messages.unsupported);
        return;
      }
      var started = performance.now();
      recorder.ondataavailable = function (event) { if (event.data && event.data.size) chunks.push(event.data); };
      recorder.onstop = function () {
        window.clearInterval(stopTimer);
        timer.hidden = true;
        var duration = (performance.now() - started) / 1000;
        var type = recorder.mimeType || mimeType || "video/webm";
        var blob = new Blob(chunks, { type: baseType(type) });
        stopCamera();
        playback.src = URL.createObjectURL(blob);
        playback.hidden = false;
        var record = { blob: blob, type: baseType(type), duration: duration, key: null, uploadKey: null };
        pending.put(storeKey, record).then(function () { send(record, 0); });
      };
      recorder.start(1000);
      show(["stop"]);
      timer.hidden = false;
      var tick = function () {
        var left = Math.max(0, maxSeconds - Math.floor((performance.now() - started) / 1000));
        timer.textContent = format(messages.recording, formatSeconds(left));
        if (left <= 0 && recorder.state === "recording") recorder.stop();
      };
      tick();
      stopTimer = window.setInterval(tick, 250);
      say("");
    }

    function formatSeconds(total) {
      var minutes = Math.floor(total / 60);
      var seconds = total % 60;
      return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    }

    function upload(ticket, record) {
      return new Promise(function (resolve, reject) {
        var body = new FormData();
        Object.keys(ticket.fields || {}).forEach(function (name) { body.append(name, ticket.fields[name]); });
        body.append("file", new Blob([record.blob], { type: record.type }), "answer." + record.type.split("/")[1]);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", ticket.url);
        xhr.upload.onprogress = function (event) {
          if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
        };
        xhr.onload = function () {
          if (xhr.status >= 200 && xhr.status < 300) return resolve();
          var error = new Error(xhr.status === 413 ? messages.tooLarge : (xhr.statusText || "upload failed"));
          error.status = xhr.status;
          reject(error);
        };
        // A dropped connection, an abort or a timeout: all worth another try.
        xhr.onerror = xhr.onabort = xhr.ontimeout = function () { reject(new Error("network")); };
        xhr.send(body);
      });
    }

    // A large answer goes to S3 in parts: each part is PUT on its own, and after an interruption
    // the server's renewed ticket lists only the parts the store does not hold yet.
    function putPart(part, blob, onProgress) {
      return new Promise(function (resolve, reject) {
        var xhr = new XMLHttpRequest();
        xhr.open("PUT", part.url);
        xhr.upload.onprogress = function (event) { if (event.lengthComputable) onProgress(event.loaded); };
        xhr.onload = function () {
          if (xhr.status >= 200 && xhr.status < 300) return resolve();
          var error = new Error(xhr.statusText || "upload failed");
          error.status = xhr.status;
          reject(error);
        };
        xhr.onerror = xhr.onabort = xhr.ontimeout = function () { reject(new Error("network")); };
        xhr.send(blob);
      });
    }

    function uploadParts(multipart, record) {
      var total = record.blob.size || 1;
      var sent = multipart.parts.reduce(function (left, part) { return left - (part.end - part.start); }, total);
      progress.value = Math.round((sent / total) * 100);
      return multipart.parts.reduce(function (chain, part) {
        return chain.then(function () {
          // A slice without a type: no Content-Type header, nothing the presigned link did not sign.
          return putPart(part, record.blob.slice(part.start, part.end), function (loaded) {
            progress.value = Math.round(((sent + loaded) / total) * 100);
          }).then(function () { sent += part.end - part.start; });
        });
      }, Promise.resolve());
    }

    function send(record, attempt) {
      uploading = record;
      show([]);
      say(messages.uploading);
      progressWrap.hidden = false;
      progress.value = record.key ? 100 : 0;
      if (!record.key && maxBytes && record.blob.size > maxBytes) {
        uploading = null;
        progressWrap.hidden = true;
        pending.remove(storeKey);
        say(format(messages.failed, messages.tooLarge));
        show(attemptsLeft > 0 ? ["retake"] : []);
        return;
      }
      // A retry names the key of the earlier ticket: the server issues it again, so whatever an
      // interrupted upload left in storage is overwritten, never stored twice.
      var step = record.key
        ? Promise.resolve()
        : core.postJson(data.ticketUrl, {
            content_type: record.type, key: record.uploadKey || "", size: record.blob.size
          }).then(function (ticket) {
            record.uploadKey = ticket.key;
            return pending.put(storeKey, record).then(function () {
              return ticket.multipart ? uploadParts(ticket.multipart, record) : upload(ticket, record);
            }).then(function () {
              record.key = ticket.key;
              // The file is stored: from now on only the confirm is repeated, never a second upload.
              return pending.put(storeKey, record);
            });
          });
      step.then(function () {
        return core.postJson(data.confirmUrl, { key: record.key, duration: record.duration });
      }).then(function (result) {
        uploading = null;
        progressWrap.hidden = true;
        attemptsLeft = result.attempts_left;
        pending.remove(storeKey);
        say(messages.saved + (attemptsLeft > 0 ? " " + format(messages.takesLeft, attemptsLeft) : ""));
        show(attemptsLeft > 0 ? ["retake", "next"] : ["next"]);
      }).catch(function (error) {
        if (error.status === 404 && record.key && attempt < 3) {
          // The server did not find the stored file: send the kept recording again.
          record.key = null;
          retryTimer = window.setTimeout(function () { send(record, attempt + 1); }, 0);
          return;
        }
        // Retried by hand (not core.retry): the "Try again" button and coming back online cut the wait.
        if (core.isRetryable(error)) {
          var delay = core.backoff(attempt, { backoff: 1000, max: MAX_BACKOFF_MS });
          say(format(messages.retrying, Math.round(delay / 1000)));
          show(["retry"]);
          retryTimer = window.setTimeout(function () { send(record, attempt + 1); }, delay);
          return;
        }
        uploading = null;
        progressWrap.hidden = true;
        pending.remove(storeKey);
        say(format(messages.failed, error.message));
        show(error.status === 409 || error.status === 410 ? (data.answered === "yes" ? ["next"] : []) : ["retake"]);
      });
    }

    if (buttons.record) buttons.record.addEventListener("click", startRecording);
    if (buttons.stop) buttons.stop.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") recorder.stop();
    });
    if (buttons.retake) buttons.retake.addEventListener("click", function () {
      if (attemptsLeft <= 0) { say(messages.noTakes); return; }
      playback.hidden = true;
      prepare();
    });
    if (buttons.retry) buttons.retry.addEventListener("click", function () {
      window.clearTimeout(retryTimer);
      if (uploading) send(uploading, 0);
    });
    window.addEventListener("online", function () {
      if (uploading) { window.clearTimeout(retryTimer); send(uploading, 0); }
    });
    window.addEventListener("beforeunload", function (event) {
      if (uploading || (recorder && recorder.state === "recording")) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    pending.get(storeKey).then(function (record) {
      if (record && record.blob) {
        say(messages.pending);
        playback.src = URL.createObjectURL(record.blob);
        playback.hidden = false;
        send(record, 0);
      } else if (data.answered === "yes") {
        show(attemptsLeft > 0 ? ["retake", "next"] : ["next"]);
      } else if (attemptsLeft <= 0) {
        say(messages.noTakes);
        show(["next"]);
      } else {
        prepare();
      }
    });
  }

  document.querySelectorAll("[data-device-check]").forEach(deviceCheck);
  document.querySelectorAll("[data-text-answer]").forEach(textCounter);
  document.querySelectorAll("[data-answer-recorder]").forEach(answerRecorder);
})();
