// Package pdf writes small A4 PDF documents in Chinese: printable reports
// (the epidemiological investigation report, 流调报告) and posters (a venue
// code with its QR symbol). It has no dependencies beyond the standard
// library and internal/qrcode.
//
// # The font
//
// The text uses STSong-Light, one of the CJK fonts that PDF readers are
// expected to know, without embedding any font: the file names it as a
// Type0 font over a CIDFontType0 with the Adobe-GB1 character collection and
// the UniGB-UCS2-H encoding, and the reader supplies a Song (宋体) typeface
// that covers Adobe-GB1 — Acrobat from its Asian font pack; poppler, pdf.js,
// PDFium and printers by substituting an installed Chinese font. This is the
// approach of ReportLab's UnicodeCIDFont and FPDF's Chinese add-on: files
// stay a few kilobytes instead of carrying a 10 MB font, and no font licence
// travels with a report. Each character is written as its UCS-2 code,
// big-endian, and a /ToUnicode map (the identity over the BMP) goes with
// the font so that the text can be searched, copied and extracted
// everywhere, even by tools that do not carry Adobe's CID-to-Unicode
// tables.
//
// # Widths
//
// Ideographs and full-width punctuation are 1 em wide (the font's /DW 1000).
// Printable ASCII, which UniGB-UCS2-H maps to the proportional Latin CIDs
// 1–95, is given a fixed half-em advance in the font's /W array, and the
// package measures it the same way, so wrapped lines and table cells fit
// exactly what readers draw; Latin text looks evenly spaced rather than
// typeset.
//
// # Limits
//
// One typeface, no bold (headings are drawn with a thin outline stroke to
// look heavier), no italics, no images other than QR symbols, no kerning.
// Characters that UniGB-UCS2-H cannot encode are written as '?': those
// outside the BMP (rare ideographs of CJK Extension B, emoji) and the few
// BMP scripts Adobe-GB1 lacks (Hangul, most accented Latin letters other
// than pinyin's); the BMP ideographs of GB 2312, GBK and GB 18030 and the
// common punctuation are all there. The middle dot of names and plates
// (·), which the CMap lacks, is written as GB 2312's middle dot and maps
// back to U+00B7. How the text looks depends on the reader's substitute
// font: a machine without any Chinese font shows empty boxes or nothing,
// while the file itself stays correct and its text extractable.
//
// # Coordinates
//
// All positions are in points (1/72 inch) from the top-left corner of the
// page, y growing downwards, unlike PDF's own bottom-up space; the writer
// converts. A Document keeps a flow cursor (Y) for the layout helpers
// (Heading, Paragraph, TextBlock, Center, KeyValues, Table), which start
// new pages as needed; the drawing primitives (Text, Line, Rect, FillRect,
// QR) place things where they are told on the current page.
package pdf
