import { registry } from "@web/core/registry";

/**
 * The front desk opens an "unwell student" ticket for a student and their guardian, ticks
 * the playbook and resolves it; the ticket logs that the guardian was notified (the
 * notice itself is in the student's file).
 */
registry.category("web_tour.tours").add("training_attendance_incident_unwell", {
    url: "/odoo/action-training_attendance.training_incident_action",
    steps: () => [
        {
            content: "New ticket",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "A student is unwell",
            trigger: ".o_field_widget[name='category'] select",
            run: 'select "unwell"',
        },
        {
            trigger: ".o_field_widget[name='student_id'] input",
            run: "edit Tour Unwell Student",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Unwell Student')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='guardian_id'] input",
            run: "edit Tour Unwell Guardian",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Unwell Guardian')",
            run: "click",
        },
        {
            content: "Save: the playbook of the category appears",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The guardian was notified through the notice e-mail, logged on the ticket",
            trigger: ".o-mail-Message-body:contains('Tour Unwell Guardian notified by e-mail')",
        },
        {
            content: "Resolving with the playbook unticked is refused",
            trigger: ".o_statusbar_buttons button[name='action_resolve']",
            run: "click",
        },
        {
            trigger: ".modal:contains('Tick every step of the playbook') .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "First aid given",
            trigger: ".o_field_widget[name='step_ids'] .o_data_row:contains('First aid') .o_field_boolean_toggle input",
            run: "click",
        },
        {
            content: "Guardian called",
            trigger: ".o_field_widget[name='step_ids'] .o_data_row:contains('Guardian notified by phone') .o_field_boolean_toggle input",
            run: "click",
        },
        {
            content: "Hospital contacted if needed",
            trigger: ".o_field_widget[name='step_ids'] .o_data_row:contains('Hospital') .o_field_boolean_toggle input",
            run: "click",
        },
        {
            content: "Resolve",
            trigger: ".o_statusbar_buttons button[name='action_resolve']",
            run: "click",
        },
        {
            content: "The ticket is resolved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
        },
    ],
});
