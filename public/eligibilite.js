// Eligibility pages: a print button (the page works without it: browsers print natively).
document.querySelectorAll('[data-pan-print]').forEach((b) => {
  b.hidden = false;
  b.addEventListener('click', () => window.print());
});
