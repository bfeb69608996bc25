#include "minitorch/data/mail.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace data = minitorch::data;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A multipart/alternative mail: a quoted-printable text/plain part, then a base64 text/html part.
// The HTML is "<p>Caf&eacute; <b>special</b> offer &amp; more</p>".
const std::string kAlternative =
    "From: a@example.com\n"
    "Subject: offer\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative;\n"
    "\tboundary=\"==alt==\"\n"
    "\n"
    "This is a preamble.\n"
    "--==alt==\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Plain caf=E9 special=\n"
    " offer =3D more\n"
    "--==alt==\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "PHA+Q2FmJmVhY3V0ZTsgPGI+c3BlY2lhbDwvYj4gb2ZmZXIgJmFtcDsg\n"
    "bW9yZTwvcD4=\n"
    "--==alt==--\n"
    "An epilogue.\n";

}  // namespace

TEST(Mail, ReadsSubjectAndPlainBody) {
  const data::Mail mail = data::parse_mail(
      "From: someone@example.com\n"
      "Subject:  Meeting tomorrow \n"
      "To: you@example.com\n"
      "\n"
      "Hello,\n"
      "see you at ten.\n");
  EXPECT_EQ(mail.subject, "Meeting tomorrow");
  EXPECT_EQ(mail.body, "Hello,\nsee you at ten.\n");
}

TEST(Mail, UnfoldsFoldedHeaders) {
  const data::Mail mail = data::parse_mail(
      "Subject: a subject that\n"
      "   goes on\n"
      "\tand on\n"
      "X-Other: value\n"
      "\n"
      "body\n");
  EXPECT_EQ(mail.subject, "a subject that   goes on\tand on");
  EXPECT_EQ(mail.body, "body\n");
}

TEST(Mail, SkipsTheMboxFromLineAndTakesTheFirstSubject) {
  const data::Mail mail = data::parse_mail(
      "From ilug-admin@linux.ie  Tue Aug  6 11:51:02 2002\n"
      "Return-Path: <ilug-admin@linux.ie>\n"
      "Subject: first\n"
      "Subject: second\n"
      "\n"
      "text\n");
  EXPECT_EQ(mail.subject, "first");
  EXPECT_EQ(mail.body, "text\n");
}

TEST(Mail, HandlesCrLfLineEnds) {
  const data::Mail mail = data::parse_mail(
      "Subject: windows\r\n"
      " mail\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "line one\r\n");
  EXPECT_EQ(mail.subject, "windows mail");
  EXPECT_EQ(mail.body, "line one\r\n");
}

TEST(Mail, MultipartAlternativeKeepsTheLastAlternativeDecoded) {
  const data::Mail mail = data::parse_mail(kAlternative);
  EXPECT_EQ(mail.subject, "offer");
  // The HTML alternative, base64-decoded and stripped; the plain one, the preamble and the
  // epilogue are not taken.
  EXPECT_EQ(mail.body, " Caf  special offer & more ");
  EXPECT_FALSE(contains(mail.body, "Plain"));
  EXPECT_FALSE(contains(mail.body, "preamble"));
  EXPECT_FALSE(contains(mail.body, "epilogue"));
}

TEST(Mail, MultipartAlternativeFallsBackToAnAlternativeWithText) {
  const data::Mail mail = data::parse_mail(
      "Content-Type: multipart/alternative; boundary=b\n"
      "\n"
      "--b\n"
      "Content-Type: text/plain\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "Plain caf=E9 special=\n"
      " offer =3D more\n"
      "--b\n"
      "Content-Type: text/html\n"
      "\n"
      "<html><img src=\"x.gif\"></html>\n"
      "--b--\n");
  EXPECT_EQ(mail.body, "Plain caf\xE9 special offer = more");
}

TEST(Mail, MultipartMixedTakesTextAndHtmlPartsSkippingAttachmentsAndOtherTypes) {
  const data::Mail mail = data::parse_mail(
      "Subject: report\n"
      "Content-Type: multipart/mixed; boundary=\"outer\"\n"
      "\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n"
      "\n"
      "--inner\n"
      "Content-Type: text/plain\n"
      "\n"
      "nested plain\n"
      "--inner\n"
      "Content-Type: text/html\n"
      "\n"
      "<p>nested <i>html</i></p>\n"
      "--inner--\n"
      "--outer\n"
      "Content-Type: text/plain; name=notes.txt\n"
      "Content-Disposition: attachment; filename=notes.txt\n"
      "\n"
      "attached text\n"
      "--outer\n"
      "Content-Type: application/octet-stream\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "YmluYXJ5IGRhdGE=\n"
      "--outer\n"
      "Content-Type: image/gif\n"
      "\n"
      "GIF89a\n"
      "--outer\n"
      "Content-Type: text/plain\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "ZmluYWwgd29yZHM=\n"
      "--outer--\n");
  EXPECT_EQ(mail.body, " nested html \nfinal words");
}

TEST(Mail, ReadsEmbeddedMessages) {
  const data::Mail mail = data::parse_mail(
      "Content-Type: multipart/mixed; boundary=m\n"
      "\n"
      "--m\n"
      "Content-Type: text/plain\n"
      "\n"
      "see below\n"
      "--m\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Subject: =?us-ascii?q?forwarded_one?=\n"
      "\n"
      "inner body\n"
      "--m--\n");
  EXPECT_EQ(mail.body, "see below\nforwarded one\ninner body");
}

TEST(Mail, MultipartWithoutBoundaryOrDelimitersIsPlainText) {
  EXPECT_EQ(data::parse_mail("Content-Type: multipart/mixed\n\nno parts here\n").body,
            "no parts here\n");
  EXPECT_EQ(data::parse_mail("Content-Type: multipart/mixed; boundary=zz\n\nno parts here\n").body,
            "no parts here\n");
}

TEST(Mail, UnterminatedMultipartEndsAtTheEnd) {
  const data::Mail mail = data::parse_mail(
      "Content-Type: multipart/mixed; boundary=q\n"
      "\n"
      "--q\n"
      "\n"
      "first\n"
      "--q  \n"
      "Content-Type: text/plain\n"
      "\n"
      "second\n"
      "--qq is not a delimiter\n");
  EXPECT_EQ(mail.body, "first\nsecond\n--qq is not a delimiter");
}

TEST(Mail, FindsTheMimeBodyOfAMailThatLostItsContentType) {
  const data::Mail mail = data::parse_mail(
      "Subject: broken\n"
      "\n"
      "\n"
      "--123.456\n"
      "Content-Type: text/plain\n"
      "\n"
      "the plain part\n"
      "--123.456\n"
      "Content-Type: text/html\n"
      "\n"
      "<b>the html part</b>\n"
      "--123.456--\n");
  EXPECT_EQ(mail.body, "the plain part\nthe html part");
  // An explicit text/plain keeps such a body as it is.
  EXPECT_TRUE(contains(
      data::parse_mail("Content-Type: text/plain\n\n--x\nContent-Type: text/html\n\n<b>y</b>\n")
          .body,
      "<b>y</b>"));
}

TEST(Mail, DecodesEncodedWordSubjects) {
  EXPECT_EQ(data::parse_mail("Subject: =?iso-8859-1?Q?Caf=E9_au_lait?=\n\n").subject,
            "Caf\xE9 au lait");
  EXPECT_EQ(data::parse_mail("Subject: =?UTF-8?B?SGVsbG8gV29ybGQ=?=\n\n").subject, "Hello World");
  // Folded over two lines: the whitespace between the two encoded words goes.
  EXPECT_EQ(data::parse_mail("Subject: =?utf-8?b?SGVs?=\n =?utf-8?b?bG8=?= you\n\n").subject,
            "Hello you");
}

TEST(Mail, HasNoBodyWhenOnlyHeaders) {
  const data::Mail only_headers = data::parse_mail("Subject: nothing else\nTo: x@y.z\n");
  EXPECT_EQ(only_headers.subject, "nothing else");
  EXPECT_EQ(only_headers.body, "");
  const data::Mail empty_body = data::parse_mail("Subject: empty\n\n");
  EXPECT_EQ(empty_body.subject, "empty");
  EXPECT_EQ(empty_body.body, "");
  const data::Mail empty = data::parse_mail("");
  EXPECT_EQ(empty.subject, "");
  EXPECT_EQ(empty.body, "");
}

TEST(Mail, TextWithoutHeadersIsAllBody) {
  const data::Mail mail = data::parse_mail("Just some words\nSubject: not a header here\n");
  EXPECT_EQ(mail.subject, "");
  EXPECT_EQ(mail.body, "Just some words\nSubject: not a header here\n");
  EXPECT_EQ(data::parse_mail(" indented first line\n").body, " indented first line\n");
}

TEST(Mail, ALineThatIsNotAHeaderEndsTheHeaders) {
  const data::Mail mail = data::parse_mail("Subject: s\nthis is not a header\nmore\n");
  EXPECT_EQ(mail.subject, "s");
  EXPECT_EQ(mail.body, "this is not a header\nmore\n");
}

TEST(Mail, PassesInvalidUtf8Through) {
  const std::string raw =
      "Subject: bad \xFF\xFE bytes \xC3\n"
      "Content-Type: text/plain; charset=x-unknown\n"
      "\n"
      "body \x80\x81 \xF0\x28\x8C\x28 end\n";
  const data::Mail mail = data::parse_mail(raw);
  EXPECT_EQ(mail.subject, "bad \xFF\xFE bytes \xC3");
  EXPECT_EQ(mail.body, "body \x80\x81 \xF0\x28\x8C\x28 end\n");
  EXPECT_EQ(data::parse_mail("Subject: =?x-weird?B?/w==?=\n\n").subject, "\xFF");
}

TEST(Mail, ReadsUnusualContentTypes) {
  // No ";" before the parameter, upper case, and other text/* types taken as plain text.
  EXPECT_EQ(data::parse_mail("Content-Type: TEXT/HTML charset=us-ascii\n\n<p>x</p>\n").body,
            " x \n");
  EXPECT_EQ(data::parse_mail("Content-Type: text/enriched\n\n<bold>rich</bold>\n").body,
            "<bold>rich</bold>\n");
  EXPECT_EQ(data::parse_mail("Content-Type:\n\nplain\n").body, "plain\n");
  EXPECT_EQ(data::parse_mail("Content-Type: application/pdf\n\n%PDF\n").body, "");
  EXPECT_EQ(data::parse_mail("Content-Type: text/plain\nContent-Transfer-Encoding: BASE64\n\n"
                             "aGk=\n")
                .body,
            "hi");
}

TEST(Mail, ReadsQuotedBoundaryWithEscapesAndOtherParameters) {
  const data::Mail mail = data::parse_mail(
      "Content-Type: multipart/mixed; charset=\"a;b\"; BOUNDARY=\"x\\\"y\"; other=1\n"
      "\n"
      "--x\"y\n"
      "\n"
      "inside\n"
      "--x\"y--\n");
  EXPECT_EQ(mail.body, "inside");
}

TEST(MailDecoding, QuotedPrintable) {
  EXPECT_EQ(data::decode_quoted_printable("a=3Db =e9=E9"), "a=b \xE9\xE9");
  EXPECT_EQ(data::decode_quoted_printable("soft=\nbreak and=  \r\nthere"), "softbreak andthere");
  EXPECT_EQ(data::decode_quoted_printable("bad =ZZ and =4"), "bad =ZZ and =4");
  EXPECT_EQ(data::decode_quoted_printable("ends with ="), "ends with ");
  EXPECT_EQ(data::decode_quoted_printable(""), "");
}

TEST(MailDecoding, Base64) {
  EXPECT_EQ(data::decode_base64("SGVsbG8sIFdvcmxkIQ=="), "Hello, World!");
  EXPECT_EQ(data::decode_base64("SGVs\r\nbG8s IFdv\ncmxk\tIQ=="), "Hello, World!");
  EXPECT_EQ(data::decode_base64("YQ==Yg=="), "ab");  // two blocks
  EXPECT_EQ(data::decode_base64("YW*J#j"), "abc");   // junk skipped
  EXPECT_EQ(data::decode_base64("Y"), "");           // a partial byte is dropped
  EXPECT_EQ(data::decode_base64("+/+/"), "\xFB\xFF\xBF");
}

TEST(MailDecoding, EncodedWords) {
  EXPECT_EQ(data::decode_encoded_words("=?utf-8?q?a_b=3Fc?="), "a b?c");
  EXPECT_EQ(data::decode_encoded_words("Re: =?koi8-r?B?8NLJ?= x"), "Re: \xF0\xD2\xC9 x");
  EXPECT_EQ(data::decode_encoded_words("=?a?Q?one?=  \t =?a?Q?two?="), "onetwo");
  EXPECT_EQ(data::decode_encoded_words("=?a?Q?one?= plain"), "one plain");
  EXPECT_EQ(data::decode_encoded_words("=?gb2312*zh?B?YWJj?="), "abc");
  // Malformed words stay as they are.
  EXPECT_EQ(data::decode_encoded_words("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(data::decode_encoded_words("=?utf-8?Q?unterminated"), "=?utf-8?Q?unterminated");
  EXPECT_EQ(data::decode_encoded_words("=??Q?x?="), "=??Q?x?=");
  EXPECT_EQ(data::decode_encoded_words("a = b ?= c =?"), "a = b ?= c =?");
}

TEST(MailDecoding, HtmlToText) {
  EXPECT_EQ(data::html_to_text("<p>One</p><p>Two</p>"), " One  Two ");
  EXPECT_EQ(data::html_to_text("Fr<b>ee</b> <FONT color=red>mon</font>ey"), "Free money");
  EXPECT_EQ(data::html_to_text("a<!-- hidden <p> words -->b"), "a b");
  EXPECT_EQ(data::html_to_text("x<!-- never closed"), "x ");
  EXPECT_EQ(data::html_to_text("<script type=x>var a = '<p>';</script>y"), " y");
  EXPECT_EQ(data::html_to_text("<STYLE>p { color: red }</Style>z"), " z");
  EXPECT_EQ(data::html_to_text("&amp; &lt;&gt; &quot;&apos;&nbsp;|&nbsp"), "& <> \"' | ");
  EXPECT_EQ(data::html_to_text("&#72;&#x69;&#X21; &#233;"), "Hi! \xC3\xA9");
  EXPECT_EQ(data::html_to_text("&copy; AT&T &; &#; &#xZ;"), "  AT&T &; &#; &#xZ;");
  EXPECT_EQ(data::html_to_text("1 < 2 and 3 <= 4"), "1 < 2 and 3 <= 4");
  EXPECT_EQ(data::html_to_text("cut <a href=\"x"), "cut ");
  EXPECT_EQ(data::html_to_text("<A HREF=\"http://Spam.example/buy\">buy</A> "
                               "<img src=www.x.com/i.gif> <a href=\"#top\">top</a>"),
            " http://Spam.example/buy buy  www.x.com/i.gif   top");
}

RC_GTEST_PROP(MailProperties, NeverThrowsOnArbitraryBytes, (const std::string& raw)) {
  const data::Mail mail = data::parse_mail(raw);
  RC_ASSERT(mail.body.size() <= 4 * raw.size() + 4);
}

RC_GTEST_PROP(MailProperties, NeverThrowsOnMangledMail, ()) {
  // Cut, duplicate or overwrite pieces of a well-formed MIME mail.
  std::string raw = kAlternative;
  const auto edits = *rc::gen::inRange(1, 6);
  for (int k = 0; k < edits; ++k) {
    const auto at = *rc::gen::inRange<std::size_t>(0, raw.size());
    const auto length = *rc::gen::inRange<std::size_t>(0, 40);
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        raw.erase(at, length);
        break;
      case 1:
        raw.insert(at, raw.substr(at, length));
        break;
      default:
        raw.insert(at, *rc::gen::elementOf(std::vector<std::string>{
                           "=", "=?", "?=", "--", "--==alt==\n", "\n\n", "<", "&#", "=?a?B?"}));
    }
  }
  const data::Mail mail = data::parse_mail(raw);
  RC_ASSERT(mail.subject.size() <= raw.size());
}
