package ec2query

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"

	"github.com/vpce/vpce/internal/apierr"
)

// Namespace is the XML namespace of EC2 API version 2016-11-15.
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// APIVersion is the EC2 API version vpce speaks.
const APIVersion = "2016-11-15"

// encodeResponse renders <{Action}Response xmlns=…><requestId>…</requestId>
// followed by out's fields.
func encodeResponse(action, requestID string, out any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	e.body.Reset()
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}
	if err := e.enc.EncodeElement(out, start); err != nil {
		return nil, err // the encoder may be half way through: not reused
	}
	b := e.body.Bytes()
	// The start tag holds no '>' but its own end: the request ID goes
	// right after it, as the first child, where AWS puts it.
	i := bytes.IndexByte(b, '>') + 1
	buf := make([]byte, 0, len(xml.Header)+len(b)+len(action)+len(requestID)+64)
	buf = append(buf, xml.Header...)
	if b[i-2] == '/' { // self-closed: no fields
		buf = append(buf, b[:i-2]...)
		buf = append(buf, "><requestId>"+requestID+"</requestId></"+action+"Response>"...)
	} else {
		buf = append(buf, b[:i]...)
		buf = append(buf, "<requestId>"+requestID+"</requestId>"...)
		buf = append(buf, b[i:]...)
	}
	if e.body.Cap() <= maxPooledBody {
		encoders.Put(e)
	}
	return buf, nil
}

// encoder is an XML encoder writing into its own buffer, kept between
// responses (an encoder allocates a 4 KiB writer).
type encoder struct {
	body bytes.Buffer
	enc  *xml.Encoder
}

// maxPooledBody is the largest body buffer kept for the next response.
const maxPooledBody = 64 << 10

var encoders = sync.Pool{New: func() any {
	e := new(encoder)
	e.enc = xml.NewEncoder(&e.body)
	return e
}}

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
