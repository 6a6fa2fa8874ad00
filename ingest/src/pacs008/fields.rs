//! The pacs.008 elements we extract, by path relative to `GrpHdr` or `CdtTrfTxInf`.
//!
//! Paths use local names only: namespaces are checked once per element by the reader
//! (ISO pacs.008 namespace, no namespace, or the namespace of the message root), never
//! by prefix. `BIC` (pacs.008.001.02) and `BICFI` (later versions) land in the same field.

/// Fields of a financial institution (agent).
pub const AGENT_BIC: usize = 0;
pub const AGENT_MEMBER: usize = 1;
pub const AGENT_CLR_SYS: usize = 2;

fn agent_part(rest: &str) -> Option<usize> {
    match rest {
        "FinInstnId/BICFI" | "FinInstnId/BIC" => Some(AGENT_BIC),
        "FinInstnId/ClrSysMmbId/MmbId" => Some(AGENT_MEMBER),
        "FinInstnId/ClrSysMmbId/ClrSysId/Cd" | "FinInstnId/ClrSysMmbId/ClrSysId/Prtry" => {
            Some(AGENT_CLR_SYS)
        }
        _ => None,
    }
}

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
    pub const COUNT: usize = 28;
}

/// The group-header field at `path` (relative to `GrpHdr`), if we extract it.
pub fn group_field(path: &str) -> Option<usize> {
    use grp::*;
    Some(match path {
        "MsgId" => MSG_ID,
        "CreDtTm" => CRE_DT_TM,
        "NbOfTxs" => NB_OF_TXS,
        "CtrlSum" => CTRL_SUM,
        "TtlIntrBkSttlmAmt" => TTL_AMT,
        "IntrBkSttlmDt" => STTLM_DT,
        "SttlmInf/SttlmMtd" => STTLM_MTD,
        "SttlmInf/ClrSys/Cd" | "SttlmInf/ClrSys/Prtry" => CLR_SYS,
        "PmtTpInf/SvcLvl/Cd" | "PmtTpInf/SvcLvl/Prtry" => SVC_LVL,
        _ => {
            if let Some(rest) = path.strip_prefix("InstgAgt/") {
                return agent_part(rest).map(|p| INSTG + p);
            }
            if let Some(rest) = path.strip_prefix("InstdAgt/") {
                return agent_part(rest).map(|p| INSTD + p);
            }
            return None;
        }
    })
}

/// The transaction field at `path` (relative to `CdtTrfTxInf`), if we extract it.
pub fn tx_field(path: &str) -> Option<usize> {
    use tx::*;
    Some(match path {
        "PmtId/InstrId" => INSTR_ID,
        "PmtId/EndToEndId" => END_TO_END_ID,
        "PmtId/TxId" => TX_ID,
        "PmtId/UETR" => UETR,
        "IntrBkSttlmAmt" => AMOUNT,
        "IntrBkSttlmDt" => STTLM_DT,
        "ChrgBr" => CHRG_BR,
        "PmtTpInf/SvcLvl/Cd" | "PmtTpInf/SvcLvl/Prtry" => SVC_LVL,
        "Dbtr/Nm" => DBTR_NM,
        "Dbtr/PstlAdr/Ctry" | "Dbtr/CtryOfRes" => DBTR_CTRY,
        "DbtrAcct/Id/IBAN" | "DbtrAcct/Id/Othr/Id" => DBTR_ACCT,
        "Cdtr/Nm" => CDTR_NM,
        "Cdtr/PstlAdr/Ctry" | "Cdtr/CtryOfRes" => CDTR_CTRY,
        "CdtrAcct/Id/IBAN" | "CdtrAcct/Id/Othr/Id" => CDTR_ACCT,
        "Purp/Cd" | "Purp/Prtry" => PURPOSE,
        "RmtInf/Ustrd" | "RmtInf/Strd/CdtrRefInf/Ref" => REMITTANCE,
        _ => {
            for (prefix, base) in [
                ("InstgAgt/", INSTG),
                ("InstdAgt/", INSTD),
                ("DbtrAgt/", DBTR_AGT),
                ("CdtrAgt/", CDTR_AGT),
            ] {
                if let Some(rest) = path.strip_prefix(prefix) {
                    return agent_part(rest).map(|p| base + p);
                }
            }
            return None;
        }
    })
}
