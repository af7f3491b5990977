package pages

import (
	"html/template"
	"net/http"
)

// writeHTML writes the page t shows of data, with status; no page is cached.
func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

const pageStyle = `<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem;color:#1d2330}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}dl{display:grid;grid-template-columns:8rem 1fr;gap:.3rem}dt{color:#667}dd{margin:0;font-weight:600}
button{font-size:1rem;padding:.5rem 1rem;margin:.3rem .3rem 0 0;border-radius:4px;border:1px solid #889;cursor:pointer}
#approve{background:#1a7f37;color:#fff}.note{color:#667;font-size:.85rem}</style>`

// pageParts are what every shopper page shows and carries: the payment's summary
// and the session the redirect parameters opened.
const pageParts = `{{define "summary"}}<dl>
<dt>Brand</dt><dd id="brand">{{.Brand}}</dd>
<dt>Amount</dt><dd id="amount">{{.Amount}}</dd>
<dt>Currency</dt><dd id="currency">{{.Currency}}</dd>
<dt>Reference</dt><dd id="reference">{{.Reference}}</dd>
</dl>
{{end}}{{define "session"}}<input type="hidden" name="ndcid" value="{{.NDC}}">
<input type="hidden" name="sessionToken" value="{{.Session}}">
{{end}}`

var checkoutPage = template.Must(template.New("checkout").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>OPPWA sandbox demo checkout - {{.Brand}}</title>` + pageStyle + `</head>
<body><main>
<h1>Demo checkout: {{.Brand}}</h1>
{{template "summary" .}}
<form id="checkout" method="post" action="/connectors/demo/checkout/{{.ID}}/complete">
{{template "session" .}}
<button type="submit" id="approve" name="outcome" value="approve">Approve payment</button>
<button type="submit" id="cancel" name="outcome" value="cancel">Cancel</button>
<button type="submit" id="fail" name="outcome" value="fail">Fail</button>
</form>
<p class="note">Offline OPPWA sandbox: no money moves. Your choice returns you to the shop.</p>
</main></body></html>
`))

var challengePage = template.Must(template.New("challenge").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure challenge - ACS simulator</title>` + pageStyle + `</head>
<body><main>
<h1>3-D Secure authentication (ACS challenge)</h1>
{{template "summary" .}}
<form name="challengeForm" method="post" action="/connectors/demo/threeds/{{.ID}}/complete">
{{template "session" .}}
<label for="outcomeSelect">Authentication result</label>
<select id="outcomeSelect" name="outcome"><option value="Y">Approve</option><option value="N">Fail</option><option value="U">Technical error</option></select>
<button type="submit">Submit</button>
</form>
<p class="note">Offline OPPWA sandbox: simulated issuer ACS.</p>
</main></body></html>
`))

var frictionlessPage = template.Must(template.New("frictionless").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure - frictionless authentication</title>` + pageStyle + `</head>
<body onload="document.forms[0].submit()"><main>
<h1>3-D Secure: authenticating without a challenge</h1>
{{template "summary" .}}
<form name="frictionlessForm" method="post" action="/connectors/demo/threeds/{{.ID}}/complete">
{{template "session" .}}
<button type="submit" id="continue">Continue</button>
</form>
<p class="note">This page submits itself; press Continue if it does not.</p>
</main></body></html>
`))

var errorPageT = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>` + pageStyle + `</head>
<body><main><h1 id="error">{{.Title}}</h1><p id="message">{{.Message}}</p></main></body></html>
`))

var realisticPageT = template.Must(template.New("realistic").Parse(pageParts + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Page.Title}}</title>` + pageStyle + `</head>
<body{{if .Page.Auto}} onload="document.forms[0].submit()"{{end}}><main>
<h1>{{.Page.Heading}}</h1>
{{if not .Page.Auto}}{{template "summary" .Data}}{{end}}
<form{{with .Page.FormName}} name="{{.}}"{{end}} method="post" action="{{.Action}}">
{{template "session" .Data}}{{range .Page.Fields}}{{$f := .}}<p>
{{- if eq .Kind "radio"}}<span>{{.Label}}</span>{{range .Options}}
<label><input type="radio" id="{{.ID}}" name="{{$f.Name}}" value="{{.Value}}"{{if $f.Required}} required{{end}}> {{.Text}}</label>{{end}}
{{- else if eq .Kind "select"}}<label for="{{.ID}}">{{.Label}}</label>
<select id="{{.ID}}" name="{{.Name}}"{{if .Required}} required{{end}}>{{with .Placeholder}}<option value="" disabled selected>{{.}}</option>{{end}}{{range .Options}}<option value="{{.Value}}">{{.Text}}</option>{{end}}</select>
{{- else}}<label for="{{.ID}}">{{.Label}}</label>
<input type="text" id="{{.ID}}" name="{{.Name}}"{{if .Required}} required{{end}}>{{end}}</p>
{{end}}{{if .Page.Go.Text}}{{with .Page.Go}}{{if .Input}}<input type="submit"{{with .ID}} id="{{.}}"{{end}}{{with .Class}} class="{{.}}"{{end}} value="{{.Text}}">{{else}}<button type="submit"{{with .ID}} id="{{.}}"{{end}}{{with .Class}} class="{{.}}"{{end}}>{{.Text}}</button>{{end}}{{end}}{{end}}
{{if .Page.Auto}}<noscript><button type="submit">Continue</button></noscript>{{end}}
</form>
{{with .Page.Note}}<p class="note">{{.}}</p>{{end}}
</main></body></html>
`))

// methodPageT is the 3-D Secure method page as recorded: form notificationForm,
// hidden threeDSMethodData, submitted on window.onload.
var methodPageT = template.Must(template.New("method").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>3-D Secure method</title></head>
<body>
<form name="notificationForm" method="POST" action="{{.Action}}">
<input type="hidden" name="threeDSMethodData" value="{{.Data}}">
</form>
<script>window.onload = function () { document.forms.notificationForm.submit(); };</script>
</body></html>
`))
