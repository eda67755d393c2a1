import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Issue #17: the minutes late (or left early) typed on the teacher's phone card itself,
 * saved as soon as the input changes through the line's ``action_set_minutes`` (the server
 * checks them like every write); the session is then reloaded so its counters follow.
 * A card of an x2many kanban is never "in edition" (Odoo renders its fields readonly): the
 * input stays editable, the card shows it only while the session is open.
 */
export class TrainingMinutesField extends Component {
    static template = "training_attendance.MinutesField";
    static props = { ...standardFieldProps, label: { type: String, optional: true } };

    setup() {
        this.orm = useService("orm");
    }

    get value() {
        return this.props.record.data[this.props.name] || "";
    }

    get label() {
        return this.props.label || _t("Minutes");
    }

    async onChange(ev) {
        const input = ev.target;
        const record = this.props.record;
        const root = record.model.root;
        const minutes = input.value.trim() === "" ? 0 : Number(input.value);
        if (!Number.isInteger(minutes)) {
            input.value = this.value;
            return;
        }
        if (root.isNew || (await root.isDirty())) {
            if (!(await root.save())) {
                input.value = this.value;
                return;
            }
        }
        try {
            await this.orm.call(record.resModel, "action_set_minutes", [
                [record.resId],
                this.props.name,
                minutes,
            ]);
        } finally {
            await root.load();
            input.value = this.value;
        }
    }
}

export const trainingMinutesField = {
    component: TrainingMinutesField,
    displayName: _t("Minutes typed on the card"),
    supportedTypes: ["integer"],
    extractProps: ({ attrs }) => ({ label: attrs.string }),
};

registry.category("fields").add("training_minutes", trainingMinutesField);
