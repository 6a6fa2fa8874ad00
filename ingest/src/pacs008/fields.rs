//! The pacs.008 elements we extract, by path relative to `GrpHdr` or `CdtTrfTxInf`.
//!
//! Paths use local names only: namespaces are checked once per element by the reader
//! (ISO pacs.008 namespace, no namespace, or the namespace of the message root), never
//! by prefix. `BIC` (pacs.008.001.02) and `BICFI` (later versions) land in the same field.

/// Fields of a financial institution (agent).
pub const AGENT_BIC: usize = 0;
pub const AGENT_MEMBER: usize = 1;
pub const AGENT_CLR_SYS: usize = 2;

/// Group header fields.
pub mod grp {
    pub const MSG_ID: usize = 0;
    pub const CRE_DT_TM: usize = 1;
    pub const NB_OF_TXS: usize = 2;
    pub const CTRL_SUM: usize = 3;
    pub const TTL_AMT: usize = 4;
    pub const STTLM_DT: usize = 5;
    pub const STTLM_MTD: usize = 6;
    pub const CLR_SYS: usize = 7;
    pub const SVC_LVL: usize = 8;
    /// Instructing agent: 9, 10, 11 (bic, member, clearing system).
    pub const INSTG: usize = 9;
    /// Instructed agent: 12, 13, 14.
    pub const INSTD: usize = 12;
    pub const COUNT: usize = 15;
}

/// Transaction fields.
pub mod tx {
    pub const INSTR_ID: usize = 0;
    pub const END_TO_END_ID: usize = 1;
    pub const TX_ID: usize = 2;
    pub const UETR: usize = 3;
    pub const AMOUNT: usize = 4;
    pub const STTLM_DT: usize = 5;
    pub const CHRG_BR: usize = 6;
    pub const SVC_LVL: usize = 7;
    pub const DBTR_NM: usize = 8;
    pub const DBTR_CTRY: usize = 9;
    pub const DBTR_ACCT: usize = 10;
    pub const CDTR_NM: usize = 11;
    pub const CDTR_CTRY: usize = 12;
    pub const CDTR_ACCT: usize = 13;
    pub const PURPOSE: usize = 14;
    pub const REMITTANCE: usize = 15;
    /// Agents: instructing 16.., instructed 19.., debtor agent 22.., creditor agent 25..
    pub const INSTG: usize = 16;
    pub const INSTD: usize = 19;
    pub const DBTR_AGT: usize = 22;
    pub const CDTR_AGT: usize = 25;
    /// Names a screening looks at beyond the debtor and creditor.
    pub const ULTMT_DBTR_NM: usize = 28;
    pub const ULTMT_CDTR_NM: usize = 29;
    pub const DBTR_AGT_NM: usize = 30;
    pub const CDTR_AGT_NM: usize = 31;
    pub const COUNT: usize = 32;
}

/// Which record a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Group,
    Tx,
}

/// Debtor or creditor side of a party or account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Debtor,
    Creditor,
}

/// Where an open element sits among the paths we extract (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// Nothing at or below this element is extracted.
    Dead,
    /// The message root (`FIToFICstmrCdtTrf`).
    Message,
    GrpHdr,
    SttlmInf,
    ClrSys,
    PmtTpInf(Scope),
    SvcLvl(Scope),
    /// A `CdtTrfTxInf`.
    Tx,
    PmtId,
    Party(Side),
    UltimateParty(Side),
    PostalAddress(Side),
    Account(Side),
    AccountId(Side),
    AccountOther(Side),
    Purpose,
    Remittance,
    Structured,
    CreditorReference,
    /// An agent, its `FinInstnId`, `ClrSysMmbId` and `ClrSysId`; the `u8` is the field
    /// index of the agent's first field (its BIC).
    Agent(Scope, u8),
    Institution(Scope, u8),
    Member(Scope, u8),
    MemberSystem(Scope, u8),
    /// A field whose text we keep: its record and index (`grp::*` or `tx::*`).
    Field(Scope, u8),
}

const fn field(scope: Scope, index: usize) -> Node {
    Node::Field(scope, index as u8)
}

const fn agent(scope: Scope, base: usize) -> Node {
    Node::Agent(scope, base as u8)
}

impl Node {
    /// The node of a child element named `local`.
    pub fn child(self, local: &[u8]) -> Node {
        use Node::*;
        use Scope::{Group, Tx as T};
        use Side::{Creditor, Debtor};
        match (self, local) {
            (Message, b"GrpHdr") => GrpHdr,
            (Message, b"CdtTrfTxInf") => Tx,

            (GrpHdr, b"MsgId") => field(Group, grp::MSG_ID),
            (GrpHdr, b"CreDtTm") => field(Group, grp::CRE_DT_TM),
            (GrpHdr, b"NbOfTxs") => field(Group, grp::NB_OF_TXS),
            (GrpHdr, b"CtrlSum") => field(Group, grp::CTRL_SUM),
            (GrpHdr, b"TtlIntrBkSttlmAmt") => field(Group, grp::TTL_AMT),
            (GrpHdr, b"IntrBkSttlmDt") => field(Group, grp::STTLM_DT),
            (GrpHdr, b"SttlmInf") => SttlmInf,
            (GrpHdr, b"PmtTpInf") => PmtTpInf(Group),
            (GrpHdr, b"InstgAgt") => agent(Group, grp::INSTG),
            (GrpHdr, b"InstdAgt") => agent(Group, grp::INSTD),
            (SttlmInf, b"SttlmMtd") => field(Group, grp::STTLM_MTD),
            (SttlmInf, b"ClrSys") => ClrSys,
            (ClrSys, b"Cd" | b"Prtry") => field(Group, grp::CLR_SYS),
            (PmtTpInf(scope), b"SvcLvl") => SvcLvl(scope),
            (SvcLvl(Group), b"Cd" | b"Prtry") => field(Group, grp::SVC_LVL),
            (SvcLvl(T), b"Cd" | b"Prtry") => field(T, tx::SVC_LVL),

            (Tx, b"PmtId") => PmtId,
            (Tx, b"IntrBkSttlmAmt") => field(T, tx::AMOUNT),
            (Tx, b"IntrBkSttlmDt") => field(T, tx::STTLM_DT),
            (Tx, b"ChrgBr") => field(T, tx::CHRG_BR),
            (Tx, b"PmtTpInf") => PmtTpInf(T),
            (Tx, b"Dbtr") => Party(Debtor),
            (Tx, b"Cdtr") => Party(Creditor),
            (Tx, b"UltmtDbtr") => UltimateParty(Debtor),
            (Tx, b"UltmtCdtr") => UltimateParty(Creditor),
            (UltimateParty(side), b"Nm") => {
                field(T, pick(side, tx::ULTMT_DBTR_NM, tx::ULTMT_CDTR_NM))
            }
            (Tx, b"DbtrAcct") => Account(Debtor),
            (Tx, b"CdtrAcct") => Account(Creditor),
            (Tx, b"Purp") => Purpose,
            (Tx, b"RmtInf") => Remittance,
            (Tx, b"InstgAgt") => agent(T, tx::INSTG),
            (Tx, b"InstdAgt") => agent(T, tx::INSTD),
            (Tx, b"DbtrAgt") => agent(T, tx::DBTR_AGT),
            (Tx, b"CdtrAgt") => agent(T, tx::CDTR_AGT),
            (PmtId, b"InstrId") => field(T, tx::INSTR_ID),
            (PmtId, b"EndToEndId") => field(T, tx::END_TO_END_ID),
            (PmtId, b"TxId") => field(T, tx::TX_ID),
            (PmtId, b"UETR") => field(T, tx::UETR),
            (Party(side), b"Nm") => field(T, pick(side, tx::DBTR_NM, tx::CDTR_NM)),
            (Party(side), b"PstlAdr") => PostalAddress(side),
            (Party(side), b"CtryOfRes") | (PostalAddress(side), b"Ctry") => {
                field(T, pick(side, tx::DBTR_CTRY, tx::CDTR_CTRY))
            }
            (Account(side), b"Id") => AccountId(side),
            (AccountId(side), b"IBAN") | (AccountOther(side), b"Id") => {
                field(T, pick(side, tx::DBTR_ACCT, tx::CDTR_ACCT))
            }
            (AccountId(side), b"Othr") => AccountOther(side),
            (Purpose, b"Cd" | b"Prtry") => field(T, tx::PURPOSE),
            (Remittance, b"Ustrd") | (CreditorReference, b"Ref") => field(T, tx::REMITTANCE),
            (Remittance, b"Strd") => Structured,
            (Structured, b"CdtrRefInf") => CreditorReference,

            (Agent(scope, base), b"FinInstnId") => Institution(scope, base),
            (Institution(scope, base), b"BICFI" | b"BIC") => Field(scope, base + AGENT_BIC as u8),
            (Institution(T, base), b"Nm") if base as usize == tx::DBTR_AGT => {
                field(T, tx::DBTR_AGT_NM)
            }
            (Institution(T, base), b"Nm") if base as usize == tx::CDTR_AGT => {
                field(T, tx::CDTR_AGT_NM)
            }
            (Institution(scope, base), b"ClrSysMmbId") => Member(scope, base),
            (Member(scope, base), b"MmbId") => Field(scope, base + AGENT_MEMBER as u8),
            (Member(scope, base), b"ClrSysId") => MemberSystem(scope, base),
            (MemberSystem(scope, base), b"Cd" | b"Prtry") => {
                Field(scope, base + AGENT_CLR_SYS as u8)
            }
            _ => Dead,
        }
    }
}

const fn pick(side: Side, debtor: usize, creditor: usize) -> usize {
    match side {
        Side::Debtor => debtor,
        Side::Creditor => creditor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(path: &str) -> Node {
        path.split('/')
            .fold(Node::Message, |node, name| node.child(name.as_bytes()))
    }

    /// The paths of the module table, written out, and the field each must reach.
    #[test]
    fn every_documented_path_reaches_its_field() {
        use Scope::{Group as G, Tx as T};
        let agent_paths = [
            ("FinInstnId/BICFI", AGENT_BIC),
            ("FinInstnId/BIC", AGENT_BIC),
            ("FinInstnId/ClrSysMmbId/MmbId", AGENT_MEMBER),
            ("FinInstnId/ClrSysMmbId/ClrSysId/Cd", AGENT_CLR_SYS),
            ("FinInstnId/ClrSysMmbId/ClrSysId/Prtry", AGENT_CLR_SYS),
        ];
        let mut cases: Vec<(String, Scope, usize)> = [
            ("GrpHdr/MsgId", G, grp::MSG_ID),
            ("GrpHdr/CreDtTm", G, grp::CRE_DT_TM),
            ("GrpHdr/NbOfTxs", G, grp::NB_OF_TXS),
            ("GrpHdr/CtrlSum", G, grp::CTRL_SUM),
            ("GrpHdr/TtlIntrBkSttlmAmt", G, grp::TTL_AMT),
            ("GrpHdr/IntrBkSttlmDt", G, grp::STTLM_DT),
            ("GrpHdr/SttlmInf/SttlmMtd", G, grp::STTLM_MTD),
            ("GrpHdr/SttlmInf/ClrSys/Cd", G, grp::CLR_SYS),
            ("GrpHdr/SttlmInf/ClrSys/Prtry", G, grp::CLR_SYS),
            ("GrpHdr/PmtTpInf/SvcLvl/Cd", G, grp::SVC_LVL),
            ("GrpHdr/PmtTpInf/SvcLvl/Prtry", G, grp::SVC_LVL),
            ("CdtTrfTxInf/PmtId/InstrId", T, tx::INSTR_ID),
            ("CdtTrfTxInf/PmtId/EndToEndId", T, tx::END_TO_END_ID),
            ("CdtTrfTxInf/PmtId/TxId", T, tx::TX_ID),
            ("CdtTrfTxInf/PmtId/UETR", T, tx::UETR),
            ("CdtTrfTxInf/IntrBkSttlmAmt", T, tx::AMOUNT),
            ("CdtTrfTxInf/IntrBkSttlmDt", T, tx::STTLM_DT),
            ("CdtTrfTxInf/ChrgBr", T, tx::CHRG_BR),
            ("CdtTrfTxInf/PmtTpInf/SvcLvl/Cd", T, tx::SVC_LVL),
            ("CdtTrfTxInf/PmtTpInf/SvcLvl/Prtry", T, tx::SVC_LVL),
            ("CdtTrfTxInf/Dbtr/Nm", T, tx::DBTR_NM),
            ("CdtTrfTxInf/Dbtr/PstlAdr/Ctry", T, tx::DBTR_CTRY),
            ("CdtTrfTxInf/Dbtr/CtryOfRes", T, tx::DBTR_CTRY),
            ("CdtTrfTxInf/DbtrAcct/Id/IBAN", T, tx::DBTR_ACCT),
            ("CdtTrfTxInf/DbtrAcct/Id/Othr/Id", T, tx::DBTR_ACCT),
            ("CdtTrfTxInf/Cdtr/Nm", T, tx::CDTR_NM),
            ("CdtTrfTxInf/Cdtr/PstlAdr/Ctry", T, tx::CDTR_CTRY),
            ("CdtTrfTxInf/Cdtr/CtryOfRes", T, tx::CDTR_CTRY),
            ("CdtTrfTxInf/CdtrAcct/Id/IBAN", T, tx::CDTR_ACCT),
            ("CdtTrfTxInf/CdtrAcct/Id/Othr/Id", T, tx::CDTR_ACCT),
            ("CdtTrfTxInf/Purp/Cd", T, tx::PURPOSE),
            ("CdtTrfTxInf/Purp/Prtry", T, tx::PURPOSE),
            ("CdtTrfTxInf/RmtInf/Ustrd", T, tx::REMITTANCE),
            ("CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Ref", T, tx::REMITTANCE),
            ("CdtTrfTxInf/UltmtDbtr/Nm", T, tx::ULTMT_DBTR_NM),
            ("CdtTrfTxInf/UltmtCdtr/Nm", T, tx::ULTMT_CDTR_NM),
            ("CdtTrfTxInf/DbtrAgt/FinInstnId/Nm", T, tx::DBTR_AGT_NM),
            ("CdtTrfTxInf/CdtrAgt/FinInstnId/Nm", T, tx::CDTR_AGT_NM),
        ]
        .iter()
        .map(|(p, s, i)| (p.to_string(), *s, *i))
        .collect();
        for (agent, scope, base) in [
            ("GrpHdr/InstgAgt", G, grp::INSTG),
            ("GrpHdr/InstdAgt", G, grp::INSTD),
            ("CdtTrfTxInf/InstgAgt", T, tx::INSTG),
            ("CdtTrfTxInf/InstdAgt", T, tx::INSTD),
            ("CdtTrfTxInf/DbtrAgt", T, tx::DBTR_AGT),
            ("CdtTrfTxInf/CdtrAgt", T, tx::CDTR_AGT),
        ] {
            for (rest, part) in agent_paths {
                cases.push((format!("{agent}/{rest}"), scope, base + part));
            }
        }
        assert_eq!(cases.len(), 68);
        for (path, scope, index) in &cases {
            assert_eq!(walk(path), field(*scope, *index), "{path}");
            // Nothing under a field is extracted.
            assert_eq!(walk(&format!("{path}/Cd")), Node::Dead, "{path}/Cd");
        }
        // Every field index of both records is reachable.
        for (scope, count) in [(G, grp::COUNT), (T, tx::COUNT)] {
            for index in 0..count {
                assert!(
                    cases.iter().any(|(_, s, i)| *s == scope && *i == index),
                    "{scope:?} field {index} unreachable"
                );
            }
        }
    }

    #[test]
    fn other_paths_reach_nothing() {
        for path in [
            "GrpHdr/Nm",
            "CdtTrfTxInf/MsgId",
            "GrpHdr/PmtId/TxId",
            "CdtTrfTxInf/Dbtr/Ctry",
            "CdtTrfTxInf/DbtrAgt/BICFI",
            "CdtTrfTxInf/UltmtDbtr/Id",
            "CdtTrfTxInf/InstgAgt/FinInstnId/Nm",
            "GrpHdr/InstgAgt/FinInstnId/Nm",
            "SplmtryData/CdtTrfTxInf/PmtId/TxId",
            "CdtTrfTxInf/RmtInf/Strd/Ref",
            "CdtTrfTxInf/PmtId/uetr",
        ] {
            assert!(!matches!(walk(path), Node::Field(..)), "{path}");
        }
        assert_eq!(walk("CdtTrfTxInf"), Node::Tx);
        assert_eq!(walk("SplmtryData/Envlp"), Node::Dead);
    }
}
