package wire

// ParametersAsObject returns a redirect with its parameters turned from an array of
// {name, value} into an object of name to value, as a recording shows some accounts
// answer (real-platform.md §1).
func ParametersAsObject(redirect Document) Document {
	ps, ok := redirect.Get("parameters").([]Document)
	if !ok {
		return redirect
	}
	obj := make(Document, 0, len(ps))
	for _, p := range ps {
		if name, ok := p.Get("name").(string); ok {
			obj = obj.With(name, p.Get("value"))
		}
	}
	return redirect.Set("parameters", obj)
}
