#pragma once
// Builds large, schema-valid pain.001.001.09 and pacs.008.001.08 messages in memory for the
// tests and the benchmark: n transactions with distinct ids and UETRs, exact CtrlSum.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace deltran::iso20022::testing {

// A deterministic lower-case UUIDv4 for transaction i.
inline std::string generated_uetr(size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%08zx-0000-4000-8000-%012zx", i & 0xffffffffu,
                (i * 7919) & 0xffffffffffffu);
  return buf;
}

inline std::string cents_text(int64_t cents) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);
  return buf;
}

inline int64_t generated_cents(size_t i) {
  return 100 + static_cast<int64_t>((i * 7907) % 9'999'900);
}

inline std::string make_pain001(size_t transactions, size_t per_block = 1000) {
  int64_t total = 0;
  for (size_t i = 0; i < transactions; ++i) total += generated_cents(i);
  std::string x;
  x.reserve(256 + transactions * 700);
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       "<Document "
       "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn><GrpHdr>"
       "<MsgId>BENCH-PAIN-" +
       std::to_string(transactions) +
       "</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm>"
       "<NbOfTxs>" +
       std::to_string(transactions) + "</NbOfTxs><CtrlSum>" + cents_text(total) +
       "</CtrlSum><InitgPty><Nm>Bench Corp</Nm></InitgPty></GrpHdr>\n";
  for (size_t first = 0; first < transactions; first += per_block) {
    size_t last = first + per_block < transactions ? first + per_block : transactions;
    x += "<PmtInf><PmtInfId>PI-" + std::to_string(first) +
         "</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>" + std::to_string(last - first) +
         "</NbOfTxs><ReqdExctnDt><Dt>2026-11-30</Dt></ReqdExctnDt>"
         "<Dbtr><Nm>Bench Corp</Nm><PstlAdr><TwnNm>Dubai</TwnNm><Ctry>AE</Ctry></PstlAdr></Dbtr>"
         "<DbtrAcct><Id><IBAN>AE070331234567890123456</IBAN></Id></DbtrAcct>"
         "<DbtrAgt><FinInstnId><BICFI>EBILAEADXXX</BICFI></FinInstnId></DbtrAgt><ChrgBr>SHAR</"
         "ChrgBr>\n";
    for (size_t i = first; i < last; ++i) {
      x += "<CdtTrfTxInf><PmtId><InstrId>I-" + std::to_string(i) + "</InstrId><EndToEndId>E2E-" +
           std::to_string(i) + "</EndToEndId><UETR>" + generated_uetr(i) +
           "</UETR></PmtId>"
           "<Amt><InstdAmt Ccy=\"EUR\">" +
           cents_text(generated_cents(i)) +
           "</InstdAmt></Amt>"
           "<CdtrAgt><FinInstnId><BICFI>DEUTDEFFXXX</BICFI></FinInstnId></CdtrAgt>"
           "<Cdtr><Nm>Creditor " +
           std::to_string(i) +
           " GmbH</Nm><PstlAdr><StrtNm>Hauptstrasse</StrtNm>"
           "<BldgNb>1</BldgNb><PstCd>60311</PstCd><TwnNm>Frankfurt</TwnNm><Ctry>DE</Ctry></"
           "PstlAdr></Cdtr>"
           "<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>"
           "<Purp><Cd>SUPP</Cd></Purp><RmtInf><Ustrd>Invoice " +
           std::to_string(i) +
           "</Ustrd></RmtInf>"
           "</CdtTrfTxInf>\n";
    }
    x += "</PmtInf>\n";
  }
  x += "</CstmrCdtTrfInitn></Document>\n";
  return x;
}

inline std::string make_pacs008(size_t transactions) {
  int64_t total = 0;
  for (size_t i = 0; i < transactions; ++i) total += generated_cents(i);
  std::string x;
  x.reserve(256 + transactions * 800);
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       "<Document "
       "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\"><FIToFICstmrCdtTrf><GrpHdr>"
       "<MsgId>BENCH-PACS-" +
       std::to_string(transactions) +
       "</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm>"
       "<NbOfTxs>" +
       std::to_string(transactions) + "</NbOfTxs><TtlIntrBkSttlmAmt Ccy=\"USD\">" +
       cents_text(total) +
       "</TtlIntrBkSttlmAmt><IntrBkSttlmDt>2026-11-30</IntrBkSttlmDt>"
       "<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>\n";
  for (size_t i = 0; i < transactions; ++i) {
    x += "<CdtTrfTxInf><PmtId><InstrId>I-" + std::to_string(i) + "</InstrId><EndToEndId>E2E-" +
         std::to_string(i) + "</EndToEndId><TxId>TX-" + std::to_string(i) + "</TxId><UETR>" +
         generated_uetr(i) + "</UETR></PmtId><IntrBkSttlmAmt Ccy=\"USD\">" +
         cents_text(generated_cents(i)) +
         "</IntrBkSttlmAmt><ChrgBr>SHAR</ChrgBr>"
         "<InstgAgt><FinInstnId><BICFI>NBADAEAAXXX</BICFI></FinInstnId></InstgAgt>"
         "<InstdAgt><FinInstnId><BICFI>CHASUS33XXX</BICFI></FinInstnId></InstdAgt>"
         "<Dbtr><Nm>Debtor " +
         std::to_string(i) +
         " LLC</Nm><PstlAdr><TwnNm>Abu Dhabi</TwnNm><Ctry>AE</Ctry>"
         "</PstlAdr></Dbtr><DbtrAcct><Id><IBAN>AE070331234567890123456</IBAN></Id></DbtrAcct>"
         "<DbtrAgt><FinInstnId><BICFI>NBADAEAAXXX</BICFI></FinInstnId></DbtrAgt>"
         "<CdtrAgt><FinInstnId><BICFI>CHASUS33XXX</BICFI></FinInstnId></CdtrAgt>"
         "<Cdtr><Nm>Creditor " +
         std::to_string(i) +
         " Inc.</Nm><PstlAdr><TwnNm>New York</TwnNm><Ctry>US</Ctry>"
         "</PstlAdr></Cdtr><CdtrAcct><Id><Othr><Id>" +
         std::to_string(100000 + i) +
         "</Id></Othr></Id></CdtrAcct>"
         "<RmtInf><Ustrd>Invoice " +
         std::to_string(i) + "</Ustrd></RmtInf></CdtTrfTxInf>\n";
  }
  x += "</FIToFICstmrCdtTrf></Document>\n";
  return x;
}

}  // namespace deltran::iso20022::testing
