"""Writes training_attendance/data/files/kpi_dashboard.json: the campus managers' and
directors' KPI dashboard (Odoo's Dashboards app, spreadsheet_dashboard), built on pivots
of the training.kpi reporting model. Run it again after changing the layout:
    python3 scripts/gen_kpi_dashboard.py
"""

import json
from pathlib import Path

KPIS = ["attendance", "notice", "makeup", "satisfaction", "followup", "incident"]
LABELS = {
    "attendance": "Attendance rate",
    "notice": "Notification timeliness",
    "makeup": "Make-up completion",
    "satisfaction": "Make-up satisfaction",
    "followup": "Follow-up compliance",
    "incident": "Incident response time",
}
PERIOD, CAMPUS, TEACHER, COUNSELOR = (
    "3f1d7a52-7c1e-4c1b-9f0e-5a1d2b3c4d01",
    "3f1d7a52-7c1e-4c1b-9f0e-5a1d2b3c4d02",
    "3f1d7a52-7c1e-4c1b-9f0e-5a1d2b3c4d03",
    "3f1d7a52-7c1e-4c1b-9f0e-5a1d2b3c4d04",
)
COLUMNS = "ABCDEFG"


def matching(with_period=True):
    fields = {
        CAMPUS: {"chain": "company_id", "type": "many2one"},
        TEACHER: {"chain": "teacher_id", "type": "many2one"},
        COUNSELOR: {"chain": "counselor_id", "type": "many2one"},
    }
    if with_period:
        fields[PERIOD] = {"chain": "date", "type": "date", "offset": 0}
    return fields


def pivot(pid, name, rows, columns, measures, domain=(), sort=None, with_period=True):
    spec = {
        "type": "ODOO",
        "id": str(pid),
        "formulaId": str(pid),
        "name": name,
        "model": "training.kpi",
        "domain": list(domain),
        "context": {},
        "measures": [{"id": m, "fieldName": m} for m in measures],
        "rows": rows,
        "columns": columns,
        "fieldMatching": matching(with_period),
    }
    if sort:
        spec["sortedColumn"] = {"groupId": [[], []], "measure": "rate", "order": sort}
    return spec


def link(label, view, groupby, measure="rate"):
    action = {
        "viewType": view,
        "action": {
            "domain": [],
            "context": {
                "group_by": groupby,
                "pivot_measures": [measure, "target"],
                "pivot_row_groupby": groupby,
                "pivot_column_groupby": ["kpi"],
                "graph_measure": measure,
                "graph_groupbys": groupby,
            },
            "modelName": "training.kpi",
            "views": [[False, "pivot"], [False, "graph"], [False, "list"]],
        },
        "threshold": 0,
        "name": label,
    }
    return f"[{label}](odoo://view/{json.dumps(action)})"


def build():
    cells, styles = {}, {}

    def put(ref, content, style=None):
        cells[ref] = {"content": content}
        if style:
            styles[ref] = style

    put("A1", link("Training KPIs against targets", "pivot", ["company_id"]), 1)
    # 1. the indicators of the period against their targets
    put("A3", '=_t("Indicator")', 2)
    put("B3", '=_t("Rate (%)")', 4)
    put("C3", '=_t("Target (%)")', 4)
    put("D3", '=_t("Counted")', 4)
    put("E3", '=_t("Gap")', 4)
    for row, kpi in enumerate(KPIS, start=4):
        put(f"A{row}", f'=_t("{LABELS[kpi]}")', 3)
        put(f"B{row}", f'=PIVOT.VALUE(1,"rate","kpi","{kpi}")', 3)
        put(f"C{row}", f'=PIVOT.VALUE(1,"target","kpi","{kpi}")', 3)
        put(f"D{row}", f'=PIVOT.VALUE(1,"total","kpi","{kpi}")', 3)
        put(f"E{row}", f'=IF(AND(ISNUMBER(D{row}),D{row}>0),B{row}-C{row},"")', 3)
    # the incidents' response time itself, in working hours, against the policy's
    put("F3", '=_t("Response (h)")', 4)
    put("G3", '=_t("Target (h)")', 4)
    row = 4 + KPIS.index("incident")
    put(f"F{row}", '=IFERROR(PIVOT.VALUE(1,"hours","kpi","incident"),"")', 3)
    put(f"G{row}", '=IFERROR(PIVOT.VALUE(1,"target_hours","kpi","incident"),"")', 3)
    # 2. per campus
    put("A11", link("Per campus", "pivot", ["company_id"]), 1)
    put("A12", '=_t("Campus")', 2)
    for col, kpi in zip(COLUMNS[1:], KPIS, strict=False):
        put(f"{col}12", f'=_t("{LABELS[kpi]}")', 4)
    for index in range(1, 11):
        row = 12 + index
        put(f"A{row}", f'=PIVOT.HEADER(2,"#company_id",{index})', 3)
        for col, kpi in zip(COLUMNS[1:], KPIS, strict=False):
            put(f"{col}{row}", f'=PIVOT.VALUE(2,"rate","#company_id",{index},"kpi","{kpi}")', 3)
    # 3. trend by month (all periods)
    put("A24", link("Trend by month", "graph", ["date:month"]), 1)
    put("A25", '=_t("Month")', 2)
    for col, kpi in zip(COLUMNS[1:], KPIS, strict=False):
        put(f"{col}25", f'=_t("{LABELS[kpi]}")', 4)
    for index in range(1, 13):
        row = 25 + index
        put(f"A{row}", f'=IFERROR(PIVOT.HEADER(3,"#date:month",{index}),"")', 3)
        for col, kpi in zip(COLUMNS[1:], KPIS, strict=False):
            put(
                f"{col}{row}",
                f'=IFERROR(PIVOT.VALUE(3,"rate","#date:month",{index},"kpi","{kpi}"),"")',
                3,
            )
    # 4. top and bottom teachers by attendance rate
    put("A39", link("Teachers: best attendance rate", "pivot", ["teacher_id"]), 1)
    put("E39", link("Teachers: lowest attendance rate", "pivot", ["teacher_id"]), 1)
    put("A40", '=_t("Teacher")', 2)
    put("B40", '=_t("Rate (%)")', 4)
    put("C40", '=_t("Counted")', 4)
    put("E40", '=_t("Teacher")', 2)
    put("F40", '=_t("Rate (%)")', 4)
    put("G40", '=_t("Counted")', 4)
    for index in range(1, 6):
        row = 40 + index
        put(f"A{row}", f'=PIVOT.HEADER(4,"#teacher_id",{index})', 3)
        put(f"B{row}", f'=PIVOT.VALUE(4,"rate","#teacher_id",{index})', 3)
        put(f"C{row}", f'=PIVOT.VALUE(4,"total","#teacher_id",{index})', 3)
        put(f"E{row}", f'=PIVOT.HEADER(5,"#teacher_id",{index})', 3)
        put(f"F{row}", f'=PIVOT.VALUE(5,"rate","#teacher_id",{index})', 3)
        put(f"G{row}", f'=PIVOT.VALUE(5,"total","#teacher_id",{index})', 3)
    # 5. incident response time per person handling tickets
    put("A47", link("Incident response time per person", "pivot", ["handler_id"]), 1)
    put("A48", '=_t("Handled by")', 2)
    put("B48", '=_t("Rate (%)")', 4)
    put("C48", '=_t("Counted")', 4)
    put("D48", '=_t("Response (h)")', 4)
    for index in range(1, 11):
        row = 48 + index
        put(f"A{row}", f'=IFERROR(PIVOT.HEADER(6,"#handler_id",{index}),"")', 3)
        put(f"B{row}", f'=IFERROR(PIVOT.VALUE(6,"rate","#handler_id",{index}),"")', 3)
        put(f"C{row}", f'=IFERROR(PIVOT.VALUE(6,"total","#handler_id",{index}),"")', 3)
        put(f"D{row}", f'=IFERROR(PIVOT.VALUE(6,"hours","#handler_id",{index}),"")', 3)
    attendance = [["kpi", "=", "attendance"]]
    pivots = {
        "1": pivot(
            1,
            "KPIs of the period",
            [{"fieldName": "kpi"}],
            [],
            ["rate", "target", "total", "hours", "target_hours"],
        ),
        "2": pivot(
            2, "KPIs per campus", [{"fieldName": "company_id"}], [{"fieldName": "kpi"}], ["rate"]
        ),
        "3": pivot(
            3,
            "KPIs per month",
            [{"fieldName": "date", "granularity": "month"}],
            [{"fieldName": "kpi"}],
            ["rate"],
            with_period=False,
        ),
        "4": pivot(
            4,
            "Teachers, best attendance rate",
            [{"fieldName": "teacher_id"}],
            [],
            ["rate", "total"],
            attendance,
            "desc",
        ),
        "5": pivot(
            5,
            "Teachers, lowest attendance rate",
            [{"fieldName": "teacher_id"}],
            [],
            ["rate", "total"],
            attendance,
            "asc",
        ),
        "6": pivot(
            6,
            "Incident response time per person",
            [{"fieldName": "handler_id"}],
            [],
            ["rate", "total", "hours"],
            [["kpi", "=", "incident"]],
            "asc",
        ),
    }
    sheet_styles = {}
    for ref, style in styles.items():
        sheet_styles[ref] = style
    red = {"textColor": "#C00000", "bold": True}
    return {
        "version": 21,
        "sheets": [
            {
                "id": "sheet1",
                "name": "Dashboard",
                "colNumber": 7,
                "rowNumber": 60,
                "rows": {},
                "cols": {"0": {"size": 240}, **{str(i): {"size": 175} for i in range(1, 7)}},
                "merges": [],
                "cells": cells,
                "styles": sheet_styles,
                "formats": {},
                "borders": {},
                "conditionalFormats": [
                    {
                        "id": "3f1d7a52-7c1e-4c1b-9f0e-5a1d2b3c4e01",
                        "ranges": ["E4:E9"],
                        "rule": {
                            "type": "CellIsRule",
                            "operator": "LessThan",
                            "values": ["0"],
                            "style": {"textColor": red["textColor"], "bold": True},
                        },
                    }
                ],
                "figures": [],
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            }
        ],
        "styles": {
            "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},
            "2": {"textColor": "#434343", "fontSize": 11, "bold": True},
            "3": {"textColor": "#434343", "verticalAlign": "middle"},
            "4": {"textColor": "#434343", "fontSize": 11, "bold": True, "align": "center"},
        },
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": pivots,
        "pivotNextId": 7,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": [
            {
                "id": PERIOD,
                "type": "date",
                "label": "Period",
                "defaultValue": "last_month",
                "rangeType": "relative",
            },
            {
                "id": CAMPUS,
                "type": "relation",
                "label": "Campus",
                "modelName": "res.company",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            },
            {
                "id": TEACHER,
                "type": "relation",
                "label": "Teacher",
                "modelName": "res.users",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            },
            {
                "id": COUNSELOR,
                "type": "relation",
                "label": "Counselor",
                "modelName": "res.users",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            },
        ],
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {},
    }


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "training_attendance/data/files"
    target.mkdir(exist_ok=True)
    path = target / "kpi_dashboard.json"
    path.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n")
    print(f"written: {path}")
