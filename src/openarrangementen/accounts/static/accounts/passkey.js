// After a passkey is set up (django-otp-webauthn's register script fires
// "otp_webauthn.register_complete"), go on to the recovery codes, as after linking the app.
// The address comes from data-passkey-done; no inline script.
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    var holder = document.querySelector("[data-passkey-done]");
    if (holder) { window.location.href = holder.getAttribute("data-passkey-done"); }
  });
})();
