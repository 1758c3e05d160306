#!/usr/bin/env python3
"""Reads DelTran's ISO 20022 reports the way a bank's back office does, with a parser
independent of the product's (Python's xml.etree over expat, not libxml2).

    back_office_read.py FILE

Prints what it read as one JSON object. Exits 2, naming the element, when a report lacks
what back offices and client libraries rely on although the schema makes it optional:
pain.002 GrpHdr/InitgPty, pacs.002 GrpHdr/InstgAgt and InstdAgt, camt.053 and camt.054
GrpHdr/MsgRcpt and Acct/Svcr, the statement's sequence number and pagination. A statement's balances must add
up: opening + credits - debits = closing, and the summary totals must match the entries.
"""
import json
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal


class Missing(Exception):
    pass


def local(tag):
    return tag.rsplit("}", 1)[-1]


def child(node, path):
    """The first descendant along `path` (slash-separated local names), or None."""
    for name in path.split("/"):
        if node is None:
            return None
        node = next((c for c in node if local(c.tag) == name), None)
    return node


def children(node, name):
    return [c for c in node if local(c.tag) == name]


def text(node, path, required=True):
    found = child(node, path)
    value = found.text.strip() if found is not None and found.text else ""
    if required and not value:
        raise Missing(path)
    return value


def party_bic(node, path):
    """A party's BIC: Id/OrgId/AnyBIC (2019 on) or Id/OrgId/BICOrBEI (2009)."""
    party = child(node, path)
    if party is None:
        raise Missing(path)
    bic = text(party, "Id/OrgId/AnyBIC", False) or text(party, "Id/OrgId/BICOrBEI", False)
    if not bic:
        raise Missing(path + "/Id/OrgId/AnyBIC")
    return bic, text(party, "Nm", False)


def agent_bic(node, path):
    agent = child(node, path)
    if agent is None:
        raise Missing(path)
    bic = text(agent, "FinInstnId/BICFI", False) or text(agent, "FinInstnId/BIC", False)
    if not bic:
        raise Missing(path + "/FinInstnId/BICFI")
    return bic, text(agent, "FinInstnId/Nm", False)


def tx_statuses(nodes):
    out = []
    for tx in nodes:
        reasons = [text(r, "Rsn/Cd", False) for r in children(tx, "StsRsnInf")]
        out.append({"end_to_end_id": text(tx, "OrgnlEndToEndId", False),
                    "status": text(tx, "TxSts"), "reasons": [r for r in reasons if r]})
    return out


def pain002(doc):
    rpt = child(doc, "CstmrPmtStsRpt")
    hdr = child(rpt, "GrpHdr")
    bic, name = party_bic(hdr, "InitgPty")
    txs = []
    for pmt in children(rpt, "OrgnlPmtInfAndSts"):
        txs += tx_statuses(children(pmt, "TxInfAndSts"))
    return {"type": "pain.002", "msg_id": text(hdr, "MsgId"), "initiating_party_bic": bic,
            "initiating_party_name": name,
            "original_msg_id": text(rpt, "OrgnlGrpInfAndSts/OrgnlMsgId"),
            "group_status": text(rpt, "OrgnlGrpInfAndSts/GrpSts", False), "transactions": txs}


def pacs002(doc):
    rpt = child(doc, "FIToFIPmtStsRpt")
    hdr = child(rpt, "GrpHdr")
    instg, instg_name = agent_bic(hdr, "InstgAgt")
    instd, _ = agent_bic(hdr, "InstdAgt")
    return {"type": "pacs.002", "msg_id": text(hdr, "MsgId"), "instructing_agent_bic": instg,
            "instructing_agent_name": instg_name, "instructed_agent_bic": instd,
            "transactions": tx_statuses(children(rpt, "TxInfAndSts"))}


def signed(node):
    amount = Decimal(text(node, "Amt"))
    return -amount if text(node, "CdtDbtInd") == "DBIT" else amount


def camt053(doc):
    rpt = child(doc, "BkToCstmrStmt")
    hdr = child(rpt, "GrpHdr")
    recipient, _ = party_bic(hdr, "MsgRcpt")
    stmts = children(rpt, "Stmt")
    if not stmts:
        raise Missing("Stmt")
    out = {"type": "camt.053", "msg_id": text(hdr, "MsgId"), "recipient_bic": recipient,
           "statements": []}
    for st in stmts:
        servicer, servicer_name = agent_bic(st, "Acct/Svcr")
        owner, _ = party_bic(st, "Acct/Ownr")
        sequence = text(st, "ElctrncSeqNb", False) or text(st, "LglSeqNb", False)
        if not sequence:
            raise Missing("Stmt/ElctrncSeqNb")
        page, last = text(st, "StmtPgntn/PgNb"), text(st, "StmtPgntn/LastPgInd")
        balances = {text(b, "Tp/CdOrPrtry/Cd"): signed(b) for b in children(st, "Bal")}
        if "OPBD" not in balances or "CLBD" not in balances:
            raise Missing("Stmt/Bal OPBD and CLBD")
        entries = children(st, "Ntry")
        moved = sum((signed(e) for e in entries), Decimal(0))
        if balances["OPBD"] + moved != balances["CLBD"]:
            print(f"opening {balances['OPBD']} + entries {moved} != closing {balances['CLBD']}",
                  file=sys.stderr)
            sys.exit(3)
        summary = child(st, "TxsSummry/TtlNtries")
        if summary is not None and int(text(summary, "NbOfNtries")) != len(entries):
            print("TxsSummry/TtlNtries/NbOfNtries does not count the entries", file=sys.stderr)
            sys.exit(3)
        out["statements"].append({
            "id": text(st, "Id"), "sequence": sequence, "servicer_bic": servicer,
            "servicer_name": servicer_name, "owner_bic": owner, "currency": text(st, "Acct/Ccy"),
            "opening": str(balances["OPBD"]), "closing": str(balances["CLBD"]),
            "entries": len(entries), "page": page, "last_page": last})
    return out


def camt054(doc):
    rpt = child(doc, "BkToCstmrDbtCdtNtfctn")
    hdr = child(rpt, "GrpHdr")
    recipient, _ = party_bic(hdr, "MsgRcpt")
    notes = children(rpt, "Ntfctn")
    if not notes:
        raise Missing("Ntfctn")
    out = {"type": "camt.054", "msg_id": text(hdr, "MsgId"), "recipient_bic": recipient,
           "notifications": []}
    for nt in notes:
        servicer, _ = agent_bic(nt, "Acct/Svcr")
        owner, _ = party_bic(nt, "Acct/Ownr")
        entries = children(nt, "Ntry")
        credits = sum((signed(e) for e in entries if text(e, "CdtDbtInd") == "CRDT"), Decimal(0))
        debits = -sum((signed(e) for e in entries if text(e, "CdtDbtInd") == "DBIT"), Decimal(0))
        summary = child(nt, "TxsSummry")
        if summary is not None:
            if Decimal(text(summary, "TtlCdtNtries/Sum")) != credits or \
                    Decimal(text(summary, "TtlDbtNtries/Sum")) != debits:
                print("TxsSummry does not add up the entries", file=sys.stderr)
                sys.exit(3)
        out["notifications"].append({
            "id": text(nt, "Id"), "servicer_bic": servicer, "owner_bic": owner,
            "currency": text(nt, "Acct/Ccy"), "entries": len(entries),
            "credits": str(credits), "debits": str(debits)})
    return out


READERS = {"pain.002": pain002, "pacs.002": pacs002, "camt.053": camt053, "camt.054": camt054}


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    doc = ET.parse(sys.argv[1]).getroot()
    namespace = doc.tag[1:].split("}")[0] if doc.tag.startswith("{") else ""
    kind = ".".join(namespace.rsplit(":", 1)[-1].split(".")[:2])
    if local(doc.tag) != "Document" or kind not in READERS:
        print(f"not a report this reader knows: {doc.tag}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(READERS[kind](doc)))
    except Missing as m:
        print(f"{kind}: missing {m}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
