// Address autocomplete: progressive enhancement of the plain search form rendered by
// addressSearchField() (src/addresses/views.ts), following the WAI-ARIA 1.2 combobox pattern
// (list autocomplete): ArrowDown/ArrowUp move in the list, Enter opens the highlighted address,
// Escape closes the list (or clears the field), a polite live region announces the result count.
// Without JavaScript the form submits to the results page, which lists the addresses as links.
(() => {
  var forms = document.querySelectorAll('form[data-pan-autocomplete]');
  Array.prototype.forEach.call(forms, setup);

  function setup(form) {
    var input = form.querySelector('input[type="search"]');
    if (!input) return;
    var list = document.getElementById(input.getAttribute('data-listbox'));
    var status = document.getElementById(input.getAttribute('data-status'));
    var api = form.getAttribute('data-api') || '/api/v1/adresses/recherche';
    var template = form.getAttribute('data-href-template') || '/eligibilite/adresse/{id}';
    if (!list || !status) return;

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('aria-haspopup', 'listbox');

    var items = [];
    var active = -1;
    var timer = null;
    var seq = 0;
    var lastQuery = '';

    function href(id) {
      return template.replace('{id}', encodeURIComponent(id));
    }

    function close() {
      list.hidden = true;
      if (attribution) attribution.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function highlight(i) {
      var options = list.querySelectorAll('[role="option"]');
      Array.prototype.forEach.call(options, (o, k) => {
        o.setAttribute('aria-selected', k === i ? 'true' : 'false');
      });
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute('aria-activedescendant', options[i].id);
        if (options[i].scrollIntoView) options[i].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    }

    // ODbL: BANO addresses are shown with their attribution, under the list of suggestions.
    var attribution = document.createElement('p');
    attribution.className = 'fr-text--xs pan-ac__attribution';
    attribution.hidden = true;
    list.parentNode.insertBefore(attribution, list.nextSibling);

    // `query`: the text these suggestions answer, kept on the list (data-query) so that a test, or a script,
    // can wait for the answer to what was finally typed rather than to any earlier keystroke.
    function render(features, query, credit) {
      items = features;
      list.textContent = '';
      list.setAttribute('data-query', query);
      attribution.textContent = credit && /OpenStreetMap/.test(credit) ? `Adresses : ${credit}` : '';
      attribution.hidden = !attribution.textContent || !features.length;
      features.forEach((f, i) => {
        var li = document.createElement('li');
        li.id = `${list.id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.className = 'pan-ac__option';
        var main = document.createElement('span');
        main.textContent = f.properties.label;
        li.appendChild(main);
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
        });
        li.addEventListener('click', () => {
          choose(i);
        });
        list.appendChild(li);
      });
      if (features.length) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
        status.textContent = `${features.length + (features.length > 1 ? ' adresses proposées' : ' adresse proposée')} ; flèches haut et bas pour parcourir, Entrée pour choisir.`;
      } else {
        close();
        status.textContent = 'Aucune adresse ne correspond.';
      }
      active = -1;
    }

    function choose(i) {
      var f = items[i];
      if (!f) return;
      input.value = f.properties.label;
      close();
      window.location.assign(href(f.properties.id));
    }

    function fetchNow() {
      var q = input.value.replace(/\s+/g, ' ');
      if (q.trim().length < 2) {
        items = [];
        list.textContent = '';
        close();
        status.textContent = '';
        return;
      }
      if (q === lastQuery) return;
      lastQuery = q;
      var mine = ++seq;
      fetch(`${api}?limit=8&q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' } })
        .then((r) => (r.ok ? r.json() : { features: [] }))
        .then((data) => {
          if (mine === seq) render(data.features || [], q, data.attribution);
        })
        .catch(() => {
          if (mine === seq) {
            close();
            status.textContent = 'Suggestions indisponibles : validez le formulaire pour voir les résultats.';
          }
        });
    }

    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(fetchNow, 120);
    });

    input.addEventListener('keydown', (e) => {
      var open = !list.hidden && items.length > 0;
      if (e.key === 'ArrowDown') {
        if (!open && items.length) {
          list.hidden = false;
          input.setAttribute('aria-expanded', 'true');
        }
        if (items.length) {
          e.preventDefault();
          highlight(active + 1 >= items.length ? 0 : active + 1);
        }
      } else if (e.key === 'ArrowUp') {
        if (open) {
          e.preventDefault();
          highlight(active <= 0 ? items.length - 1 : active - 1);
        }
      } else if (e.key === 'Enter') {
        if (open && active >= 0) {
          e.preventDefault();
          choose(active);
        }
      } else if (e.key === 'Escape') {
        if (open) {
          e.preventDefault();
          close();
        } else {
          input.value = '';
          lastQuery = '';
        }
      } else if (e.key === 'Tab') {
        close();
      }
    });

    input.addEventListener('blur', () => {
      setTimeout(close, 150);
    });
  }
})();
