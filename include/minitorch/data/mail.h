// E-mail messages (RFC 822 / 5322 with MIME) reduced to the text a reader sees: subject and body.
//
// parse_mail(raw) never throws: any input, including malformed mail and bytes that are not UTF-8,
// gives a best-effort Mail. Text is handled as bytes; charsets are not converted.
//   Headers:  an mbox "From " first line is skipped; folded lines (starting with a space or tab)
//             continue the header above; the header block ends at the first empty line or at the
//             first line that is neither a header ("Name: value") nor a continuation. A first line
//             that is not a header means the mail has no headers: all of it is body.
//   Ensures:  subject is the first Subject header, unfolded, trimmed, its encoded words decoded
//             (decode_encoded_words). body is the text of the parts below, joined by newlines:
//             - no or an unreadable Content-Type is text/plain; charsets are ignored;
//             - text/html goes through html_to_text; other text/* types are taken as they are;
//             - multipart/* is split at its boundary, nested to any depth up to 32; of a
//               multipart/alternative only the last alternative with non-blank text is kept (the
//               richest, the one a mail client shows); a multipart without boundary or without any
//               delimiter line is taken as plain text; a mail without Content-Type whose body is
//               MIME nonetheless (a line "--boundary" then a "Content-Type:" line, as in some
//               spam) is split as multipart/mixed at that boundary;
//             - message/rfc822 contributes its own subject and body;
//             - parts marked "Content-Disposition: attachment" and all other types are skipped;
//             - Content-Transfer-Encoding quoted-printable and base64 are decoded, others kept.
#pragma once

#include <string>
#include <string_view>

namespace minitorch::data {

struct Mail {
  std::string subject;
  std::string body;
};

Mail parse_mail(std::string_view raw);

// Quoted-printable (RFC 2045): "=XX" (hex, either case) is that byte, "=" at the end of a line
// (optionally followed by spaces or tabs) is a soft line break and vanishes; any other "=" stays.
std::string decode_quoted_printable(std::string_view text);

// Base64 (RFC 2045): characters outside the alphabet (line breaks, spaces, junk) are skipped; "="
// ends a block, so several concatenated blocks decode one after another; a dangling partial byte
// is dropped.
std::string decode_base64(std::string_view text);

// RFC 2047 encoded words "=?charset?Q?text?=" and "=?charset?B?text?=" (Q and B in either case)
// are replaced by their decoded bytes, whatever the charset (bytes pass through unconverted); in Q,
// "_" is a space. Whitespace between two adjacent encoded words is dropped, as the RFC says.
// Anything malformed stays as it is.
std::string decode_encoded_words(std::string_view text);

// The text of an HTML document: comments and the contents of <script> and <style> are removed,
// every other tag is removed too (replaced by a space unless it is an inline tag such as <b>,
// <font>, <span> or <a>, so that "Fr<b>ee</b>" stays one word), and the entities &amp; &lt; &gt;
// &quot; &apos; &nbsp; (a space) and &#NN; / &#xHH; (as UTF-8) are decoded, with or without their
// ";". Other named entities ("&copy;") become a space. A "<" that cannot start a tag stays.
// The web address (http://, https://, ftp://, www.) of an <a href>, <img src> or <area href> is
// kept as text between spaces: links are much of what a mail says.
std::string html_to_text(std::string_view html);

}  // namespace minitorch::data
