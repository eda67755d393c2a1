import { registry } from "@web/core/registry";

/**
 * Issue #17: each role logs in and lands on its own page (res.users' home action).
 * Kept short: the landing page and the one thing the role does first.
 */
const tours = registry.category("web_tour.tours");

tours.add("training_attendance_home_teacher_phone", {
    url: "/odoo",
    steps: () => [
        {
            content: "The teacher lands on today's sessions",
            trigger: ".o_breadcrumb:contains('Today's sessions')",
        },
        {
            content: "Open today's lesson",
            trigger: ".o_kanban_record:contains('Tour class'), .o_data_row:contains('Tour class')",
            run: "click",
        },
        {
            content: "The header reads the lesson's hours, not a date and a duration",
            trigger: ".o_training_time_label:contains('-')",
        },
        {
            content: "Take attendance (the phone's own button)",
            trigger: ".o_form_sheet button[name='action_open']",
            run: "click",
        },
        {
            content: "A card says how many minutes a tap adds, and offers Excused",
            trigger: ".o_kanban_record:contains('Tour Student A') button.o_training_late:contains('+5')",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Student A') button.o_training_excused",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Student A') .o_field_badge:contains('Excused')",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Student B') button[name='action_set_absent']",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Student B') .o_field_badge:contains('Absent')",
        },
        {
            content: "Tour Student C came 15 minutes late: typed on the card, saved at once",
            trigger: ".o_kanban_record:contains('Tour Student C') .o_field_widget[name='late_minutes'] input:not([readonly])",
            run: "edit 15 && press Enter",
        },
        {
            content: "C is present, nobody is left unmarked",
            trigger: ".o_kanban_record:contains('Tour Student C') .o_field_badge:contains('Present')",
        },
        {
            trigger: ".o_form_sheet button[name='action_validate']",
            run: "click",
        },
        {
            content: "The teacher is told what follows",
            trigger: ".o_notification:contains('The guardians of 1 absent student(s) are being notified')",
        },
    ],
});

tours.add("training_attendance_home_counselor", {
    url: "/odoo",
    steps: () => [
        {
            content: "The counselor lands on their queue, absence calls first",
            trigger: ".o_breadcrumb:contains('My queue')",
        },
        {
            trigger: ".o_list_view .o_group_header:contains('Absence call')",
            run: "click",
        },
        {
            content: "The call says who and which lesson",
            trigger: ".o_data_row:contains('Tour Student B'):contains('Tour class')",
        },
    ],
});

tours.add("training_attendance_home_clerk", {
    url: "/odoo",
    steps: () => [
        {
            content: "The clerk lands on today's sessions of the campus, every teacher's",
            trigger: ".o_breadcrumb:contains('Today at the campus')",
        },
        {
            trigger: ".o_data_row:contains('Tour class')",
        },
    ],
});

tours.add("training_attendance_home_finance", {
    url: "/odoo",
    steps: () => [
        {
            content: "Finance lands on the refunds waiting for them",
            trigger: ".o_breadcrumb:contains('Refunds waiting')",
        },
        {
            trigger: ".o_searchview_facet:contains('Waiting for finance')",
        },
    ],
});

tours.add("training_attendance_home_manager", {
    url: "/odoo",
    steps: () => [
        {
            content: "The manager lands on the reports, not in Discuss",
            trigger: ".o_action_manager .o_view_controller:not(.o-mail-Discuss)",
        },
        {
            trigger: ".o_pivot_view, .o_graph_view, .o_kanban_view, .o_list_view",
        },
    ],
});
