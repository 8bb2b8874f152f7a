/**
 * The dashboard's only script, served as /assets/dashboard.js (kept in a module so it ships in
 * dist with the code; no build step, no CDN). Pages work without it; it adds live updates: on a
 * server-sent event the page fetches itself and swaps its #live region, keeping focus. Plain
 * ES2017, no template literals (this file is one).
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var live = document.getElementById('live');
  var status = document.getElementById('live-status');

  function say(text) {
    if (status) status.textContent = text;
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function age(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + pad(s % 60) + 's';
    var h = Math.floor(m / 60);
    return h + 'h ' + pad(m % 60) + 'm';
  }

  // Filters apply as soon as a choice is made; the Apply button stays for keyboard and no-script use.
  var form = document.querySelector('form[data-autosubmit]');
  if (form) {
    form.addEventListener('change', function (e) {
      if (e.target && e.target.tagName === 'SELECT') form.submit();
    });
  }

  function countdowns() {
    var els = document.querySelectorAll('[data-until]');
    for (var i = 0; i < els.length; i++) {
      var left = Date.parse(els[i].getAttribute('data-until')) - Date.now();
      els[i].textContent = left > 0 ? age(left) : 'no time';
    }
  }
  setInterval(countdowns, 1000);

  if (!live || typeof window.EventSource !== 'function') return;
  var wanted = (live.getAttribute('data-events') || '').split(/\s+/);
  var thread = live.getAttribute('data-thread');
  var timer = null;
  var busy = false;
  var again = false;

  // Focus is kept on the same link (by href) or control (by id) across a swap.
  function focusKey() {
    var a = document.activeElement;
    if (!a || !live.contains(a)) return null;
    if (a.id) return '#' + a.id;
    if (a.getAttribute('href')) return '[href="' + a.getAttribute('href').replace(/"/g, '\\"') + '"]';
    return null;
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(location.href, { headers: { accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html').getElementById('live');
        if (!next) return;
        var key = focusKey();
        live.innerHTML = next.innerHTML;
        if (key) {
          var el = live.querySelector(key);
          if (el) el.focus();
        }
        countdowns();
        var d = new Date();
        say('Updated ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()));
        document.dispatchEvent(new CustomEvent('dashboard:updated'));
      })
      .catch(function () {
        say('Could not refresh; will try again on the next change');
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }

  var source = new EventSource('/events');
  source.onopen = function () {
    say('Live');
  };
  source.onerror = function () {
    say('Reconnecting…');
  };
  wanted.forEach(function (type) {
    if (!type) return;
    source.addEventListener(type, function (e) {
      if (thread && type !== 'threads') {
        var data = {};
        try {
          data = JSON.parse(e.data);
        } catch (err) {
          data = {};
        }
        if (data.threadId && data.threadId !== thread) return;
      }
      later();
    });
  });
  window.addEventListener('pagehide', function () {
    source.close();
  });
})();
`;
