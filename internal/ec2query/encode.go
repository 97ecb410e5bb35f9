package ec2query

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/vpce/vpce/internal/apierr"
)

// Namespace is the XML namespace of EC2 API version 2016-11-15.
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// APIVersion is the EC2 API version vpce speaks.
const APIVersion = "2016-11-15"

// encodeResponse renders <{Action}Response xmlns=…><requestId>…</requestId>
// followed by out's fields.
func encodeResponse(action, requestID string, out any) ([]byte, error) {
	var body bytes.Buffer
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}
	if err := xml.NewEncoder(&body).EncodeElement(out, start); err != nil {
		return nil, err
	}
	b := body.Bytes()
	// The start tag holds no '>' but its own end: the request ID goes
	// right after it, as the first child, where AWS puts it.
	i := bytes.IndexByte(b, '>') + 1
	var buf bytes.Buffer
	buf.Grow(len(b) + 128)
	buf.WriteString(xml.Header)
	if b[i-2] == '/' { // self-closed: no fields
		buf.Write(b[:i-2])
		buf.WriteString("><requestId>" + requestID + "</requestId></" + action + "Response>")
		return buf.Bytes(), nil
	}
	buf.Write(b[:i])
	buf.WriteString("<requestId>" + requestID + "</requestId>")
	buf.Write(b[i:])
	return buf.Bytes(), nil
}

// writeError writes AWS's error document.
func writeError(w http.ResponseWriter, status int, code, message, requestID string) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString("<Response><Errors><Error><Code>")
	xml.EscapeText(&buf, []byte(code))
	buf.WriteString("</Code><Message>")
	xml.EscapeText(&buf, []byte(message))
	buf.WriteString("</Message></Error></Errors><RequestID>" + requestID + "</RequestID></Response>")
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// WriteError writes an EC2 error document for err (an [apierr.Error], or
// InternalError for anything else) with a new request ID.
func WriteError(w http.ResponseWriter, err error) {
	e, ok := apierr.As(err)
	if !ok {
		e = &apierr.Error{Code: "InternalError", Message: "An internal error has occurred", Status: http.StatusInternalServerError, Err: err}
	}
	writeError(w, e.HTTPStatus(), e.Code, e.Message, NewRequestID())
}
