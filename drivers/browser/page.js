// The scripts Follow runs in the shopper's page. The file is one expression, a
// function of the browser's page knowledge (cfg: the page scripts' matchers and
// the fallback's words and test data, see pageConfig in scripts.go): Go installs
// its result in a document on first use, as globalThis.__oppwa, and calls its
// functions by name with JSON-encoded arguments (pageCall in follow.go), so no
// value can break out of a script. The matchers come along once per document,
// so a probe costs no more than one call however many scripts there are.
//
// probe names each document (document.__oppwaID). The functions that act on
// a page take that id and, when the current document is another one, do
// nothing and answer 'moved': an auto-submitting page can be gone a
// millisecond after the probe. The id lives on the document and not on the
// window because a document object never survives a navigation (a window
// object can). document.__oppwaSeen marks a document Follow already acted on.
((cfg) => {
	const moved = (id) => document.__oppwaID !== id;
	// docID names the current document (see the top of this file).
	const docID = () => document.__oppwaID ??= Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
	const norm = (t) => (t || '').replace(/\s+/g, ' ').trim();
	const lower = (t) => norm(t).toLowerCase();
	// Words match at the start of a word, in any script: "ok" reads "OK" and
	// "okay", not "book".
	const wordRE = (w) => new RegExp('(^|[^\\p{L}\\p{N}])' + w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
	const words = (list) => (list || []).map(wordRE);
	// The fallback's words, compiled on first use: most documents never need them.
	let compiled = null;
	const fbWords = () => compiled ??= {cont: words(cfg.fallback.continue), avoid: words(cfg.fallback.avoid)};
	const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
	const controlText = (e) => norm(e.innerText || e.value || e.getAttribute('aria-label') || e.title || e.alt || '');
	// What the fallback may click: buttons, links and declared controls.
	const controlSel = 'button, input[type="submit"], input[type="button"], input[type="image"], a[href], [role="button"]';
	// What a page script may need: also elements with their own click handler.
	const anyControlSel = controlSel + ', [onclick]';
	// Fields whose value never leaves the page: card data, secrets, hidden state.
	// Each of name, id and autocomplete is tested on its own, so the anchors hold.
	const secretWord = /card|^cc-|cc-?num|cvv|cvc|csc|pan$|^pan|pin|tan$|passw|secret|token|otp|security|expir|iban|account|creq|threeds|session/i;
	const isSecret = (e) => e.type === 'hidden' || e.type === 'password' ||
		[e.name, e.id, e.getAttribute('autocomplete')].some(a => a && secretWord.test(a));
	// pattern compiles an HTML pattern attribute as the browser does (the v flag);
	// one the browser would reject means no pattern, as it does for the browser.
	const pattern = (p) => { try { return new RegExp('^(?:' + p + ')$', 'v'); } catch (x) { return null; } };

	// cssPath is a selector that finds e alone: its id, a name or value, else
	// the path of tag:nth-of-type from the nearest ancestor with an id.
	const unique = (sel, e) => { try { const l = document.querySelectorAll(sel); return l.length === 1 && l[0] === e; } catch (x) { return false; } };
	const cssPath = (e) => {
		const tag = e.tagName.toLowerCase();
		if (e.id && unique('#' + CSS.escape(e.id), e)) return '#' + CSS.escape(e.id);
		for (const a of isSecret(e) ? ['name'] : ['name', 'value']) {
			const v = e.getAttribute(a);
			const sel = v && tag + '[' + a + '="' + v.replace(/["\\]/g, '\\$&') + '"]';
			if (sel && unique(sel, e)) return sel;
		}
		const parts = [];
		for (let n = e; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
			if (n !== e && n.id && unique('#' + CSS.escape(n.id), n)) { parts.unshift('#' + CSS.escape(n.id)); break; }
			const t = n.tagName.toLowerCase();
			const sibs = n.parentElement ? [...n.parentElement.children].filter(c => c.tagName === n.tagName) : [n];
			parts.unshift(sibs.length > 1 ? t + ':nth-of-type(' + (sibs.indexOf(n) + 1) + ')' : t);
		}
		return parts.join(' > ');
	};

	// matchScript is the index of the first script matcher the page meets, -1
	// if none; the first matcher that throws (a bad selector) is named in bad.
	const matchScript = (r) => {
		for (let i = 0; i < cfg.matchers.length; i++) {
			const m = cfg.matchers[i];
			try {
				if (m.url && !new RegExp(m.url).test(location.href)) continue;
				if (m.title && !new RegExp(m.title).test(document.title)) continue;
				if (m.selector && !document.querySelector(m.selector)) continue;
				return i;
			} catch (e) {
				// One broken matcher must not hide the scripts after it: it is
				// reported only when no other script matches.
				r.bad ||= 'page script ' + m.name + ': ' + e.message;
			}
		}
		return -1;
	};

	// plausible is test data for an empty field, by type, name and pattern.
	const plausible = (e) => {
		const v = cfg.fallback.values, t = (e.type || 'text').toLowerCase();
		const hint = lower([e.name, e.id, e.placeholder, e.autocomplete, e.getAttribute('aria-label')].join(' '));
		let val = v.text;
		if (t === 'email' || /mail/.test(hint)) val = v.email;
		else if (t === 'tel' || /phone|tel|mobile/.test(hint)) val = v.tel;
		else if (t === 'number' || t === 'range') val = v.number;
		else if (t === 'date') val = v.date;
		else if (/name|holder|owner|inhaber/.test(hint)) val = v.name;
		const re = pattern(e.getAttribute('pattern') || '.*');
		if (re && !re.test(val)) val = patternValue(re) ?? val;
		return val;
	};
	// patternValue tries a value for a simple pattern: digits, letters, their
	// counts ([0-9]{4}, \d{3,5}, [A-Z]+).
	const patternValue = (re) => {
		for (const c of ['1234', '12345678', '10', 'ABCD', 'abcd', 'Test', 'AB12']) {
			for (const n of [1, 2, 3, 4, 5, 6, 8, 10, 12]) {
				const cand = c.repeat(4).slice(0, n);
				if (re.test(cand)) return cand;
			}
		}
		return null;
	};
	const setValue = (e, v) => {
		const proto = e.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : e.tagName === 'SELECT' ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
		Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, v);
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
	};
	const textual = (e) => e.tagName === 'TEXTAREA' || e.tagName === 'INPUT' && !/^(hidden|submit|button|image|reset|checkbox|radio|file)$/i.test(e.type);

	// fillRequired fills the empty required fields with test data, picks the
	// first non-empty option of required selects and the first of required
	// radio groups, and checks required checkboxes. It answers the steps a page
	// script would take for the same (draft scripts reuse them).
	const fillRequired = (apply) => {
		const steps = [], done = new Set();
		for (const e of document.querySelectorAll('input[required], textarea[required], select[required]')) {
			if (e.disabled || !visible(e)) continue;
			const sel = cssPath(e);
			if (e.tagName === 'SELECT') {
				const o = [...e.options].find(o => o.value !== '' && !o.disabled);
				if (!o) continue;
				steps.push({select: sel, text: norm(o.text), value: o.value});
				if (apply && e.value === '') setValue(e, o.value);
			} else if (e.type === 'radio') {
				if (done.has(e.name)) continue;
				done.add(e.name);
				steps.push({check: sel});
				if (apply && !document.querySelector('input[type="radio"][name="' + CSS.escape(e.name) + '"]:checked')) e.click();
			} else if (e.type === 'checkbox') {
				steps.push({check: sel});
				if (apply && !e.checked) e.click();
			} else if (textual(e)) {
				// A draft never carries what a secret field holds.
				const v = (!isSecret(e) && e.value) || plausible(e);
				steps.push({fill: sel, value: v});
				if (apply && e.value === '') setValue(e, v);
			}
		}
		return steps;
	};

	// bestControl is the visible control whose text reads the earliest of the
	// want words (the continue words) and none of the not words (the avoid
	// words); from anyControlSel with any.
	const bestControl = (any, want = fbWords().cont, not = fbWords().avoid) => {
		let best = null, rank = Infinity;
		for (const e of document.querySelectorAll(any ? anyControlSel : controlSel)) {
			if (e.disabled || !visible(e)) continue;
			const t = controlText(e);
			if (!t || not.some(r => r.test(t))) continue;
			const i = want.findIndex(r => r.test(t));
			if (i >= 0 && i < rank) { best = e; rank = i; }
		}
		return best;
	};
	const clickable = (e) => { const t = controlText(e); return !!t && !fbWords().avoid.some(r => r.test(t)); };

	// invalid names the fields of e's form that its validation refuses.
	const invalid = (form) => form ? [...form.elements].filter(x => x.willValidate && !x.checkValidity()).map(x => (x.name || x.id || x.type) + ' (' + x.validationMessage + ')') : [];

	// watchChange marks the document unseen on its first change of content
	// after a click, so Follow looks at it again as a new page.
	const watchChange = () => {
		const o = new MutationObserver(() => { document.__oppwaSeen = false; o.disconnect(); });
		o.observe(document.body || document.documentElement, {childList: true, subtree: true, characterData: true});
	};

	// point scrolls e into view and answers where to click it (clickPoint in
	// follow.go): its centre, and whether the element is what a click there hits.
	const point = (e) => {
		e.scrollIntoView({block: 'center', inline: 'center'});
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return {err: 'not visible'};
		const x = r.left + r.width / 2, y = r.top + r.height / 2;
		const h = document.elementFromPoint(x, y);
		document.__oppwaSeen = true;
		// The click that follows may change the page without navigating: that
		// counts as the page acting on it (watchChange).
		watchChange();
		return {x, y, hit: !!h && (h === e || e.contains(h)), sel: cssPath(e)};
	};

	return {
		// probe describes the current document (pageState in follow.go): a
		// document not handled yet and parsed is matched against the scripts.
		probe() {
			const d = document, b = d.body;
			const r = {id: docID(), url: location.href, ready: d.readyState, seen: d.__oppwaSeen === true,
				title: d.title, script: -1, bad: '', errorCode: ''};
			if (!r.seen && r.ready !== 'loading') r.script = matchScript(r);
			r.text = b ? b.innerText.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
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

		// keep says whether a reset tab may keep the document, a web page,
		// instead of leaving it for about:blank (see tab.reset): nothing on it
		// can act (no script, frame, plugin, refresh or inline event handler),
		// so nothing writes state while the reset clears it, and the next flow
		// leaves it by a navigation the browser starts. A kept document is
		// marked handled: it is no page of the next flow.
		keep() {
			if (!/^https?:$/.test(location.protocol)) return false;
			if (document.querySelector('script, iframe, frame, object, embed, meta[http-equiv="refresh" i]')) return false;
			if ([...document.querySelectorAll('*')].some(e => [...e.attributes].some(a => /^on/i.test(a.name)))) return false;
			document.__oppwaSeen = true;
			return true;
		},

		// postForm marks the current document as handled, then adds a POST
		// form with params (Go's oppwa.Params: [{name, value}]) as hidden fields
		// and submits it: the redirect of a flow with preconditions, from the
		// blank page that hosts their iframes. params may be null (none).
		postForm(action, params) {
			const d = document, f = d.createElement('form');
			f.method = 'post'; f.action = action; f.acceptCharset = 'UTF-8';
			for (const p of params || []) {
				const i = d.createElement('input');
				i.type = 'hidden'; i.name = p.name; i.value = p.value;
				f.appendChild(i);
			}
			(d.body || d.documentElement).appendChild(f);
			d.__oppwaSeen = true;
			f.submit();
		},
		// assign marks the current document as handled and sends it to url: the
		// GET redirect of a flow with preconditions, from the blank page that
		// hosts their iframes.
		assign(url) {
			document.__oppwaSeen = true;
			location.assign(url);
		},

		// precondition adds a hidden iframe named name and loads url into it:
		// with method POST a form of params (Go's oppwa.Params) targeting the iframe,
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
					i.type = 'hidden'; i.name = p.name; i.value = p.value;
					f.appendChild(i);
				}
				host.appendChild(f);
				f.submit();
			});
		},

		// step takes one page script step (fixtures.PageStep) on the current
		// document and marks it handled. It answers {wait: true} while the
		// step's element is missing, {err} when the step cannot be taken, a
		// click point (see point) for click and clickText, else {}; with the
		// document's id.
		step(s) {
			return {...this.take(s), id: docID()};
		},

		take(s) {
			const d = document;
			// Handled from the first step on, waits included, so that a script of
			// waits alone does not match the page again.
			d.__oppwaSeen = true;
			const q = (sel) => d.querySelector(sel);
			if (s.waitFor) return q(s.waitFor) ? {} : {wait: true};
			if (s.clickText) {
				const want = lower(s.clickText);
				const e = [...d.querySelectorAll(anyControlSel)].find(e => visible(e) && lower(controlText(e)).includes(want));
				return e ? point(e) : {wait: true};
			}
			// A click goes to the first visible match: a button a previous step
			// reveals is waited for, not clicked while hidden.
			const e = s.click ? [...d.querySelectorAll(s.click)].find(visible) : q(s.fill || s.select || s.check);
			if (!e) return {wait: true};
			d.__oppwaSeen = true;
			if (s.click) return point(e);
			if (s.fill) { setValue(e, s.value); return {}; }
			if (s.check) { if (!e.checked) e.click(); return {}; }
			const opts = [...(e.options || [])];
			const o = (s.text && opts.find(o => lower(o.text).includes(lower(s.text)))) || opts.find(o => s.value !== '' && o.value === s.value);
			if (!o) return {err: 'no option reading "' + s.text + '" or with value "' + s.value + '" (found ' + opts.map(o => norm(o.text)).join(', ') + ')'};
			setValue(e, o.value);
			return {};
		},

		// clickDOM clicks the element that selector finds through the DOM,
		// for an element that something else covers.
		clickDOM(selector) {
			document.querySelector(selector).click();
		},

		// fallback acts on document id, which no script matched: it fills the
		// required fields and answers where to click the control most likely
		// to go on (see point), {none: true} when there is none, or {blocked}
		// naming the fields the form's validation refuses (reportValidity
		// shows them on the page, as a shopper would see them).
		fallback(id) {
			if (moved(id)) return {moved: true};
			document.__oppwaSeen = true;
			fillRequired(true);
			const e = bestControl(false);
			if (!e) return {none: true};
			const f = e.form || e.closest('form');
			const submits = f && (e.type === 'submit' || e.type === 'image' || e.tagName === 'BUTTON' && !e.getAttribute('type'));
			if (submits && !f.noValidate && !f.checkValidity()) {
				f.reportValidity();
				return {blocked: invalid(f).join(', ')};
			}
			return point(e);
		},

		// invalidFields names the fields that any form's validation refuses.
		invalidFields() {
			return [...document.forms].flatMap(invalid).join(', ');
		},

		// inventory describes the document for a user who writes its page
		// script (Inventory in inventory.go): forms, fields (values only of
		// fields that are not secret), controls, and per action of
		// actionWords (action -> its control's words; null: the continue
		// words) the steps a script would take: the required fields, then the
		// control those words find (for the first action, else the only
		// control).
		inventory(actionWords) {
			const d = document;
			const inputs = [...d.querySelectorAll('input, select, textarea')].filter(e => e.type !== 'hidden' || e.name).map(e => ({
				name: e.name || e.id || '', type: e.tagName === 'INPUT' ? (e.type || 'text') : e.tagName.toLowerCase(),
				required: e.required, selector: cssPath(e),
				value: isSecret(e) ? '' : (e.tagName === 'SELECT' ? (e.selectedOptions[0] ? norm(e.selectedOptions[0].text) : '') : String(e.value || '').slice(0, 80)),
			}));
			const controls = [...d.querySelectorAll(anyControlSel)].filter(visible).map(e => ({text: controlText(e).slice(0, 80), selector: cssPath(e)}));
			const forms = [...d.forms].map(f => ({action: f.getAttribute('action') || '', method: (f.getAttribute('method') || 'get').toUpperCase(), selector: cssPath(f)}));
			const only = () => { const c = [...d.querySelectorAll(anyControlSel)].filter(e => visible(e) && clickable(e)); return c.length === 1 ? c[0] : null; };
			const fills = fillRequired(false), actions = {};
			let match = forms[0] ? forms[0].selector : '';
			Object.entries(actionWords).forEach(([a, w], i) => {
				const pick = (w ? bestControl(true, words(w), []) : bestControl(true)) || (i === 0 ? only() : null);
				if (!pick) return;
				actions[a] = [...fills, {click: cssPath(pick)}];
				if (i === 0) match = cssPath(pick);
			});
			return {url: location.href, title: d.title, forms, inputs, controls, actions, match};
		},
	};
})
