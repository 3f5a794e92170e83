// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * Openround video recorder: a framework-free MediaRecorder component.
 *
 *   <div data-recorder data-ticket-url="..." data-confirm-url="..." data-max-seconds="120"></div>
 *
 * Camera preview, record/stop with a timer and auto-stop at the limit, playback to review,
 * re-record, then upload through a storage ticket (POST fields + file, with progress), retried
 * with backoff, and confirmed with the server. The recording is kept until the server confirmed.
 * Texts come from data-label-* and data-msg-* attributes (translated by the page) with English
 * fallbacks. Requests to the app's own routes go through core.js (Openround.postJson sends the
 * CSRF token; never to the storage URL). Fires "recorder:confirmed" on the root when done.
 */
(function () {
  "use strict";

  var core = window.Openround;

  var MIME_CANDIDATES = [
    "video/webm;codecs=vp9,opus",
    "video/webm;codecs=vp8,opus",
    "video/webm",
    "video/mp4",
  ];
  var RETRY_DELAYS_MS = [2000, 5000, 10000];

  var DEFAULT_TEXT = {
    labelStartCamera: "Turn on the camera",
    labelRecord: "Start recording",
    labelStop: "Stop recording",
    labelRerecord: "Record again",
    labelUpload: "Use this recording",
    labelRetry: "Try the upload again",
    labelProgress: "Upload progress",
    labelTimer: "Recording time",
    msgReady: "Camera on. Press \u201cStart recording\u201d when you are ready.",
    msgRecording: "Recording\u2026",
    msgRecorded: "Recorded. Watch it back, then use it or record again.",
    msgLimit: "The time limit was reached; recording stopped.",
    msgUploading: "Uploading\u2026",
    msgRetrying: "The upload failed; trying again in a few seconds\u2026",
    msgFailed: "The upload failed. Your recording is kept: try again.",
    msgSaved: "Saved. Thank you!",
    msgDenied: "Camera access was denied. Allow the camera and microphone in your browser settings, then try again.",
    msgNoCamera: "No camera or microphone was found.",
    msgUnsupported: "This browser cannot record video.",
    msgTooLarge: "The recording is too large. Record a shorter one.",
  };

  /** The first container/codec MediaRecorder supports here, or "" to let the browser choose. */
  function pickMimeType() {
    if (!window.MediaRecorder || typeof window.MediaRecorder.isTypeSupported !== "function") {
      return "";
    }
    for (var i = 0; i < MIME_CANDIDATES.length; i += 1) {
      if (window.MediaRecorder.isTypeSupported(MIME_CANDIDATES[i])) {
        return MIME_CANDIDATES[i];
      }
    }
    return "";
  }

  /** "video/webm;codecs=vp8,opus" -> "video/webm" (what the upload ticket fixes). */
  function baseType(mimeType) {
    var base = (mimeType || "").split(";")[0].trim().toLowerCase();
    return base === "video/mp4" ? "video/mp4" : "video/webm";
  }

  function formatSeconds(total) {
    var minutes = Math.floor(total / 60);
    var seconds = Math.floor(total % 60);
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  /** POST the ticket's fields, then the file, reporting progress (fraction 0..1). */
  function uploadWithTicket(ticket, blob, filename, onProgress) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      Object.keys(ticket.fields || {}).forEach(function (name) {
        data.append(name, ticket.fields[name]);
      });
      data.append("file", blob, filename);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", ticket.url);
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          onProgress(event.loaded / event.total);
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve();
        } else {
          reject(new core.HttpError(xhr.status, ""));
        }
      });
      xhr.addEventListener("error", function () { reject(new core.HttpError(0, "")); });
      xhr.addEventListener("timeout", function () { reject(new core.HttpError(0, "")); });
      xhr.send(data);
    });
  }

  function Recorder(root) {
    this.root = root;
    this.ticketUrl = root.getAttribute("data-ticket-url");
    this.confirmUrl = root.getAttribute("data-confirm-url");
    this.maxSeconds = parseInt(root.getAttribute("data-max-seconds"), 10) || 120;
    this.text = this.readText();
    this.stream = null;
    this.mediaRecorder = null;
    this.chunks = [];
    this.blob = null;
    this.blobUrl = null;
    this.mimeType = "";
    this.elapsed = 0;
    this.timerId = null;
    this.hitLimit = false;
    this.uploading = false;
    this.build();
    if (!this.supported()) {
      this.setStatus(this.text.msgUnsupported, true);
      this.cameraButton.hidden = true;
    }
  }

  Recorder.prototype.readText = function () {
    var text = {};
    var dataset = this.root.dataset;
    Object.keys(DEFAULT_TEXT).forEach(function (key) {
      text[key] = dataset[key] || DEFAULT_TEXT[key];
    });
    return text;
  };

  Recorder.prototype.supported = function () {
    return Boolean(
      navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder
    );
  };

  Recorder.prototype.button = function (label, className, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button " + (className || "");
    button.textContent = label;
    button.addEventListener("click", handler.bind(this));
    return button;
  };

  Recorder.prototype.build = function () {
    var fallback = this.root.querySelector(".recorder-fallback");
    if (fallback) {
      fallback.hidden = true;
    }
    this.video = document.createElement("video");
    this.video.setAttribute("playsinline", "");
    this.video.hidden = true;

    this.timer = document.createElement("span");
    this.timer.className = "recorder-timer";
    this.timer.setAttribute("role", "timer");
    this.timer.setAttribute("aria-label", this.text.labelTimer);
    this.timer.hidden = true;

    this.cameraButton = this.button(this.text.labelStartCamera, "", this.startCamera);
    this.recordButton = this.button(this.text.labelRecord, "primary", this.startRecording);
    this.stopButton = this.button(this.text.labelStop, "danger", this.stopRecording);
    this.rerecordButton = this.button(this.text.labelRerecord, "", this.rerecord);
    this.uploadButton = this.button(this.text.labelUpload, "primary", this.upload);
    this.retryButton = this.button(this.text.labelRetry, "", this.upload);
    [this.recordButton, this.stopButton, this.rerecordButton, this.uploadButton, this.retryButton].forEach(
      function (button) { button.hidden = true; }
    );

    var controls = document.createElement("div");
    controls.className = "recorder-controls";
    [
      this.cameraButton, this.recordButton, this.stopButton, this.timer,
      this.uploadButton, this.retryButton, this.rerecordButton,
    ].forEach(function (element) { controls.appendChild(element); });

    this.progress = document.createElement("progress");
    this.progress.max = 100;
    this.progress.value = 0;
    this.progress.setAttribute("aria-label", this.text.labelProgress);
    this.progress.hidden = true;

    this.status = document.createElement("p");
    this.status.className = "recorder-status";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");

    this.root.appendChild(this.video);
    this.root.appendChild(controls);
    this.root.appendChild(this.progress);
    this.root.appendChild(this.status);
  };

  Recorder.prototype.setStatus = function (message, isError) {
    this.status.textContent = message;
    this.status.classList.toggle("is-error", Boolean(isError));
  };

  Recorder.prototype.show = function (visible) {
    var all = {
      camera: this.cameraButton, record: this.recordButton, stop: this.stopButton,
      rerecord: this.rerecordButton, upload: this.uploadButton, retry: this.retryButton,
    };
    Object.keys(all).forEach(function (name) {
      all[name].hidden = visible.indexOf(name) === -1;
    });
  };

  Recorder.prototype.startCamera = function () {
    var self = this;
    self.cameraButton.disabled = true;
    return navigator.mediaDevices
      .getUserMedia({ video: true, audio: true })
      .then(function (stream) {
        self.stream = stream;
        self.releaseBlob();
        self.video.hidden = false;
        self.video.controls = false;
        self.video.muted = true; // no echo of the microphone while previewing
        self.video.srcObject = stream;
        self.video.play().catch(function () {});
        self.show(["record"]);
        self.setStatus(self.text.msgReady, false);
        self.recordButton.focus();
      })
      .catch(function (error) {
        var name = error && error.name;
        var denied = name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError";
        self.setStatus(denied ? self.text.msgDenied : self.text.msgNoCamera, true);
        self.show(["camera"]);
      })
      .finally(function () {
        self.cameraButton.disabled = false;
      });
  };

  Recorder.prototype.startRecording = function () {
    var self = this;
    self.mimeType = pickMimeType();
    try {
      self.mediaRecorder = self.mimeType
        ? new MediaRecorder(self.stream, { mimeType: self.mimeType })
        : new MediaRecorder(self.stream);
    } catch (error) {
      self.setStatus(self.text.msgUnsupported, true);
      return;
    }
    self.mimeType = self.mediaRecorder.mimeType || self.mimeType;
    self.chunks = [];
    self.hitLimit = false;
    self.mediaRecorder.addEventListener("dataavailable", function (event) {
      if (event.data && event.data.size > 0) {
        self.chunks.push(event.data);
      }
    });
    self.mediaRecorder.addEventListener("stop", function () { self.finishRecording(); });
    self.mediaRecorder.start(1000);
    self.elapsed = 0;
    self.timer.hidden = false;
    self.timer.classList.add("is-recording");
    self.renderTimer();
    self.timerId = window.setInterval(function () {
      self.elapsed += 1;
      self.renderTimer();
      if (self.elapsed >= self.maxSeconds) {
        self.hitLimit = true;
        self.stopRecording();
      }
    }, 1000);
    self.show(["stop"]);
    self.setStatus(self.text.msgRecording, false);
    self.stopButton.focus();
  };

  Recorder.prototype.renderTimer = function () {
    this.timer.textContent = formatSeconds(this.elapsed) + " / " + formatSeconds(this.maxSeconds);
  };

  Recorder.prototype.stopRecording = function () {
    window.clearInterval(this.timerId);
    this.timerId = null;
    this.timer.classList.remove("is-recording");
    if (this.mediaRecorder && this.mediaRecorder.state !== "inactive") {
      this.mediaRecorder.stop();
    }
  };

  Recorder.prototype.stopCamera = function () {
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) { track.stop(); });
      this.stream = null;
    }
  };

  Recorder.prototype.finishRecording = function () {
    this.stopCamera();
    this.blob = new Blob(this.chunks, { type: baseType(this.mimeType) });
    this.chunks = [];
    this.blobUrl = URL.createObjectURL(this.blob);
    this.video.srcObject = null;
    this.video.muted = false;
    this.video.controls = true;
    this.video.src = this.blobUrl;
    this.show(["upload", "rerecord"]);
    this.setStatus(this.hitLimit ? this.text.msgLimit + " " + this.text.msgRecorded : this.text.msgRecorded, false);
    this.uploadButton.focus();
  };

  Recorder.prototype.releaseBlob = function () {
    if (this.blobUrl) {
      URL.revokeObjectURL(this.blobUrl);
    }
    this.blob = null;
    this.blobUrl = null;
    this.video.removeAttribute("src");
  };

  Recorder.prototype.rerecord = function () {
    this.progress.hidden = true;
    this.timer.hidden = true;
    return this.startCamera();
  };

  /** Upload the kept recording, retrying with backoff; the Blob stays until the server confirmed. */
  Recorder.prototype.upload = function () {
    var self = this;
    if (!self.blob || self.uploading) {
      return Promise.resolve();
    }
    self.uploading = true;
    self.show([]);
    self.progress.hidden = false;
    self.progress.value = 0;
    self.setStatus(self.text.msgUploading, false);

    return core
      .retry(
        function (attempt) {
          if (attempt > 0) {
            self.setStatus(self.text.msgUploading, false);
          }
          return self.uploadOnce();
        },
        {
          backoff: RETRY_DELAYS_MS,
          onRetry: function () { self.setStatus(self.text.msgRetrying, true); },
        }
      )
      .then(function (result) {
        self.uploading = false;
        self.progress.value = 100;
        self.setStatus((result && result.message) || self.text.msgSaved, false);
        self.releaseBlob();
        self.video.hidden = true;
        self.timer.hidden = true;
        self.show(["camera"]);
        self.root.dispatchEvent(new CustomEvent("recorder:confirmed", { bubbles: true, detail: result }));
        if (self.root.getAttribute("data-reload-on-confirm") === "true") {
          window.setTimeout(function () { window.location.reload(); }, 1200);
        }
      })
      .catch(function (error) {
        self.uploading = false;
        var message = error && error.status === 413 ? self.text.msgTooLarge : self.text.msgFailed;
        if (error && error.serverMessage && error.status >= 400 && error.status < 500 && error.status !== 413) {
          message = error.serverMessage + " " + self.text.msgFailed;
        }
        self.setStatus(message, true);
        self.show(["retry", "rerecord"]);
        self.retryButton.focus();
      });
  };

  Recorder.prototype.uploadOnce = function () {
    var self = this;
    var type = baseType(self.mimeType);
    var filename = type === "video/mp4" ? "recording.mp4" : "recording.webm";
    // A fresh ticket each attempt: an earlier one may have expired while waiting.
    return core.postJson(self.ticketUrl, { content_type: type })
      .then(function (ticket) {
        if (ticket.max_size && self.blob.size > ticket.max_size) {
          throw new core.HttpError(413, "");
        }
        return uploadWithTicket(ticket, self.blob, filename, function (fraction) {
          self.progress.value = Math.round(fraction * 100);
        }).then(function () { return ticket; });
      })
      .then(function (ticket) {
        return core.postJson(self.confirmUrl, { key: ticket.key });
      });
  };

  function init(scope) {
    var roots = (scope || document).querySelectorAll("[data-recorder]");
    var recorders = [];
    for (var i = 0; i < roots.length; i += 1) {
      if (!roots[i].recorder) {
        roots[i].recorder = new Recorder(roots[i]);
      }
      recorders.push(roots[i].recorder);
    }
    return recorders;
  }

  window.OpenroundRecorder = { init: init, pickMimeType: pickMimeType, Recorder: Recorder };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
