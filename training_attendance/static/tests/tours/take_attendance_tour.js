import { registry } from "@web/core/registry";

/**
 * A teacher takes attendance of today's session on the one screen of the session:
 * one tap per student, "mark the rest present", validate.
 */
registry.category("web_tour.tours").add("training_attendance_take_attendance", {
    url: "/odoo/action-training_attendance.training_session_action_today",
    steps: () => [
        {
            content: "Open today's session from the list",
            trigger: ".o_data_row td:contains('Tour class')",
            run: "click",
        },
        {
            content: "Take attendance",
            trigger: ".o_statusbar_buttons button[name='action_open']",
            run: "click",
        },
        {
            content: "Everybody starts unmarked",
            trigger: ".o_field_one2many .o_data_row:contains('Tour Student A') .o_field_badge:contains('Unmarked')",
        },
        {
            content: "Tour Student A is absent: one tap",
            trigger: ".o_data_row:contains('Tour Student A') button[name='action_set_absent']",
            run: "click",
        },
        {
            content: "Tour Student B arrives late: one tap adds 5 minutes",
            trigger: ".o_data_row:contains('Tour Student A') .o_field_badge:contains('Absent')",
        },
        {
            trigger: ".o_data_row:contains('Tour Student B') button[name='action_add_late']",
            run: "click",
        },
        {
            content: "B is present and 5 minutes late",
            trigger: ".o_data_row:contains('Tour Student B') td[name='late_minutes']:contains('5')",
        },
        {
            content: "Mark the rest present",
            trigger: ".o_statusbar_buttons button[name='action_mark_rest_present']",
            run: "click",
        },
        {
            content: "Nobody is left unmarked",
            trigger: ".o_data_row:contains('Tour Student C') .o_field_badge:contains('Present')",
        },
        {
            content: "Validate: the teacher's signature",
            trigger: ".o_statusbar_buttons button[name='action_validate'].btn-primary",
            run: "click",
        },
        {
            content: "The session is validated and the buttons are gone",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Validated')",
        },
        {
            trigger: ".o_form_view:not(:has(button[name='action_set_present']))",
        },
    ],
});
