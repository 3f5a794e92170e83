// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * Openround core: the few helpers every page script shares. templates/base.html loads it (deferred,
 * in <head>) before any page script, so page scripts can use window.Openround. Plain JS, no build
 * step, nothing inline (the Content-Security-Policy allows only our own files and nonces).
 * The public career pages and the embeddable widget do not load it: they stay minimal.
 *
 *   Openround.csrfToken()                 the page's CSRF token: <meta name="csrf-token">, else a
 *                                         form's hidden csrf_token field, else ""
 *   Openround.confirmForms(root)          forms with data-confirm (or a submit button with one) under
 *                                         root ask before submitting; already done for the document
 *   Openround.HttpError(status, message)  the error the helpers reject with (status 0: no answer)
 *   Openround.isRetryable(error)          no answer, 408, 429 or 5xx: worth another try
 *   Openround.backoff(attempt, options)   milliseconds before retry number `attempt` (0-based):
 *                                         options.base doubled each time, capped at options.max
 *   Openround.sleep(ms)                   a promise resolved after ms
 *   Openround.retry(operation, options)   operation(attempt) again while it rejects with a retryable
 *                                         error, up to options.retries times
 *   Openround.fetchWithRetry(url, init, options)
 *                                         fetch, tried again on network errors, 408, 429 and 5xx;
 *                                         resolves to the last Response like fetch does
 *   Openround.postJson(url, payload, options)
 *                                         POST JSON with the CSRF token; resolves to the answer's
 *                                         JSON, rejects with an HttpError carrying the server's message
 *
 * Retry options: {retries: 0, backoff: 1000 (ms, or a list of delays), max: 60000,
 * shouldRetry: isRetryable, onRetry: function (error, attempt, delay) {}}.
 */
(function () {
  "use strict";

  var DEFAULT_BACKOFF_MS = 1000;
  var DEFAULT_MAX_BACKOFF_MS = 60000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.getAttribute("content")) {
      return meta.getAttribute("content");
    }
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  /** The text to confirm for this submission: the pressed button's data-confirm, else the form's. */
  function confirmationFor(form, submitter) {
    if (submitter && submitter.hasAttribute && submitter.hasAttribute("data-confirm")) {
      return submitter.getAttribute("data-confirm");
    }
    return form.hasAttribute("data-confirm") ? form.getAttribute("data-confirm") : null;
  }

  // Listening in the capture phase runs before any page script's own submit handler, so a refusal
  // stops the submission for them too (a drag-and-drop move, an upload with progress...).
  function askBeforeSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.openroundConfirmed) {
      return;
    }
    var message = confirmationFor(form, event.submitter);
    if (message === null) {
      return;
    }
    event.openroundConfirmed = true;
    if (!window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  function confirmForms(root) {
    // The same listener added twice to one node is added once: calling this again is harmless.
    (root || document).addEventListener("submit", askBeforeSubmit, true);
  }

  function HttpError(status, message, body) {
    this.name = "HttpError";
    this.status = typeof status === "number" ? status : 0;
    this.message = message || "";
    this.serverMessage = body && body.error && body.error.message ? body.error.message : "";
    this.body = body || null;
  }
  HttpError.prototype = Object.create(Error.prototype);
  HttpError.prototype.constructor = HttpError;

  function retryableStatus(status) {
    return status === 408 || status === 429 || status >= 500;
  }

  function isRetryable(error) {
    var status = error && typeof error.status === "number" ? error.status : 0;
    return status === 0 || retryableStatus(status);
  }

  function backoff(attempt, options) {
    var settings = options || {};
    if (Array.isArray(settings.backoff)) {
      var delays = settings.backoff;
      return delays.length ? delays[Math.min(attempt, delays.length - 1)] : 0;
    }
    var base = typeof settings.backoff === "number" ? settings.backoff : DEFAULT_BACKOFF_MS;
    var max = typeof settings.max === "number" ? settings.max : DEFAULT_MAX_BACKOFF_MS;
    return Math.min(max, base * Math.pow(2, attempt));
  }

  function sleep(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  function retryCount(options) {
    if (typeof options.retries === "number") {
      return options.retries;
    }
    return Array.isArray(options.backoff) ? options.backoff.length : 0;
  }

  function retry(operation, options) {
    var settings = options || {};
    var retries = retryCount(settings);
    var shouldRetry = settings.shouldRetry || isRetryable;

    function attempt(index) {
      return Promise.resolve()
        .then(function () { return operation(index); })
        .catch(function (error) {
          if (index >= retries || !shouldRetry(error)) {
            throw error;
          }
          var delay = Math.max(backoff(index, settings), retryAfterMs(error));
          if (settings.onRetry) {
            settings.onRetry(error, index, delay);
          }
          return sleep(delay).then(function () { return attempt(index + 1); });
        });
    }

    return attempt(0);
  }

  /** A server's Retry-After in seconds, as milliseconds (0 when absent or a date). */
  function retryAfterMs(error) {
    var response = error && error.response;
    var header = response && response.headers ? response.headers.get("Retry-After") : null;
    var seconds = header && /^\d+$/.test(header) ? parseInt(header, 10) : 0;
    return Math.min(seconds, 300) * 1000;
  }

  function fetchWithRetry(url, init, options) {
    var last = null;
    return retry(function () {
      return window.fetch(url, init).then(
        function (response) {
          if (retryableStatus(response.status)) {
            last = response;
            var error = new HttpError(response.status, response.statusText);
            error.response = response;
            throw error;
          }
          return response;
        },
        function (failure) {
          last = null;
          throw new HttpError(0, failure && failure.message);
        }
      );
    }, options).catch(function (error) {
      // Out of tries: an answer from the server is handed back as fetch would; no answer rejects.
      if (last && error.response === last) {
        return last;
      }
      throw error;
    });
  }

  function postJson(url, payload, options) {
    return fetchWithRetry(
      url,
      {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(payload === undefined ? {} : payload),
      },
      options
    ).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new HttpError(
            response.status,
            (body && body.error && body.error.message) || response.statusText,
            body
          );
          error.response = response;
          throw error;
        }
        return body;
      });
    });
  }

  window.Openround = {
    csrfToken: csrfToken,
    confirmForms: confirmForms,
    HttpError: HttpError,
    isRetryable: isRetryable,
    backoff: backoff,
    sleep: sleep,
    retry: retry,
    fetchWithRetry: fetchWithRetry,
    postJson: postJson,
  };

  confirmForms(document);
})();
