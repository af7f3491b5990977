// The scripts Follow runs in the shopper's page. The file is one expression:
// Go installs its value in a document on first use, as globalThis.__oppwa,
// and calls its functions by name with JSON-encoded arguments (pageCall in
// follow.go), so no value can break out of a script.
//
// probe names each document (document.__oppwaID). The functions that act on
// a page take that id and, when the current document is another one, do
// nothing and answer 'moved': an auto-submitting page can be gone a
// millisecond after the probe. The id lives on the document and not on the
// window because a document object never survives a navigation (a window
// object can). document.__oppwaSeen marks a document Follow already acted on.
(() => {
	const moved = (id) => document.__oppwaID !== id;
	const challengeForm = 'form[name="challengeForm"]';

	return {
		// probe describes the current document (pageState in follow.go).
		probe() {
			const d = document, b = d.body;
			if (!d.__oppwaID) d.__oppwaID = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
			const r = {id: d.__oppwaID, url: location.href, ready: d.readyState, seen: d.__oppwaSeen === true,
				title: d.title, kind: '', autoSubmit: false, buttons: [], errorCode: ''};
			if (d.querySelector('form#checkout')) {
				r.kind = 'checkout';
				r.buttons = ['approve', 'cancel', 'fail'].filter(id => d.getElementById(id));
			} else if (d.querySelector(challengeForm)) {
				r.kind = 'acs';
			}
			r.text = b ? b.innerText.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
			r.autoSubmit = /\.submit\s*\(/.test(b ? (b.getAttribute('onload') || '') : '');
			if (location.protocol === 'chrome-error:') {
				const e = d.querySelector('.error-code');
				r.errorCode = e ? e.textContent.trim() : 'navigation failed';
			}
			return r;
		},

		// mark marks document id as handled: '' or 'moved'.
		mark(id) {
			if (moved(id)) return 'moved';
			document.__oppwaSeen = true;
			return '';
		},

		// postForm marks the current document as handled, then adds a POST
		// form with params (Go's []Param: [{Name, Value}]) as hidden fields
		// and submits it.
		postForm(action, params) {
			const d = document, f = d.createElement('form');
			f.method = 'post'; f.action = action; f.acceptCharset = 'UTF-8';
			for (const p of params) {
				const i = d.createElement('input');
				i.type = 'hidden'; i.name = p.Name; i.value = p.Value;
				f.appendChild(i);
			}
			(d.body || d.documentElement).appendChild(f);
			d.__oppwaSeen = true;
			f.submit();
		},

		// precondition adds a hidden iframe named name and loads url into it:
		// with method POST a form of params (Go's []Param) targeting the iframe,
		// with GET the iframe's src (params already in url). It returns a
		// Promise of {loaded: true} when the iframe fires onload for that
		// document, or {loaded: false} after timeoutMs. The load of the
		// iframe's initial about:blank is not the one waited for.
		precondition(name, method, url, params, timeoutMs) {
			const d = document, host = d.body || d.documentElement;
			const fr = d.createElement('iframe');
			fr.name = name; fr.title = name; fr.style.display = 'none';
			fr.setAttribute('aria-hidden', 'true');
			host.appendChild(fr);
			return new Promise(resolve => {
				const timer = setTimeout(() => resolve({loaded: false}), timeoutMs);
				fr.addEventListener('load', () => {
					try {
						if (fr.contentWindow.location.href === 'about:blank') return;
					} catch (e) { /* another origin: the document loaded */ }
					clearTimeout(timer);
					resolve({loaded: true});
				});
				if (method === 'GET') {
					fr.src = url;
					return;
				}
				const f = d.createElement('form');
				f.method = 'post'; f.action = url; f.target = name; f.acceptCharset = 'UTF-8';
				f.style.display = 'none';
				for (const p of params) {
					const i = d.createElement('input');
					i.type = 'hidden'; i.name = p.Name; i.value = p.Value;
					f.appendChild(i);
				}
				host.appendChild(f);
				f.submit();
			});
		},

		// locate marks document id as handled, scrolls the element that
		// selector finds into view and answers where to click it
		// (clickPoint in follow.go): its centre, and whether the element is
		// what a click there would hit.
		locate(id, selector) {
			if (moved(id)) return {moved: true};
			const e = document.querySelector(selector);
			if (!e) return {err: 'not found'};
			e.scrollIntoView({block: 'center', inline: 'center'});
			const r = e.getBoundingClientRect();
			if (r.width === 0 || r.height === 0) return {err: 'not visible'};
			const x = r.left + r.width / 2, y = r.top + r.height / 2;
			const h = document.elementFromPoint(x, y);
			document.__oppwaSeen = true;
			return {x, y, hit: !!h && (h === e || e.contains(h))};
		},

		// clickDOM clicks the element that selector finds through the DOM,
		// for an element that something else covers.
		clickDOM(selector) {
			document.querySelector(selector).click();
		},

		// chooseOutcome selects the outcome in the challenge form's
		// #outcomeSelect, as a shopper's choice would (input and change events):
		// the first option whose visible text contains one of texts (the real
		// ACS page's values are not all public, its texts are what a shopper
		// reads), else the option with value. It answers '', 'moved', or what
		// is missing.
		chooseOutcome(id, texts, value) {
			if (moved(id)) return 'moved';
			const s = document.getElementById('outcomeSelect');
			if (!s) return 'no select#outcomeSelect';
			const opts = [...s.options];
			const byText = opts.find(o => texts.some(t => o.text.trim().toLowerCase().includes(t)));
			const chosen = byText || opts.find(o => o.value === value);
			if (!chosen) return 'no option reading ' + texts.join('/') + ' or with value ' + value + ' in #outcomeSelect (found ' + opts.map(o => o.text.trim()).join(', ') + ')';
			s.value = chosen.value;
			s.dispatchEvent(new Event('input', {bubbles: true}));
			s.dispatchEvent(new Event('change', {bubbles: true}));
			const f = document.querySelector(challengeForm);
			if (!f.querySelector('[type="submit"], button:not([type])')) return 'no submit button in challengeForm';
			return '';
		},

		// clickFirstSubmit clicks the submit button of the document's first
		// form. It answers '', 'moved', or 'none' when there is no such button.
		clickFirstSubmit(id) {
			if (moved(id)) return 'moved';
			const f = document.forms[0];
			if (!f) return 'none';
			const b = f.querySelector('button[type="submit"], input[type="submit"], button:not([type]), input[type="image"]');
			if (!b) return 'none';
			b.click();
			return '';
		},
	};
})()
