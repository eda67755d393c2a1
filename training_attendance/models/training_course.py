from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .training_enrollment import FINANCE_READERS


class TrainingCourse(models.Model):
    _name = "training.course"
    _value_bounds = {"lesson_duration": (0, 12), "price_per_hour": (0, 1000000)}
    _description = "Training Course"
    _inherit = ["mail.thread", "training.value.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(tracking=True)
    active = fields.Boolean(default=True)
    subject = fields.Char()
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    lesson_duration = fields.Float(
        string="Lesson duration (hours)", default=1.5, required=True, tracking=True
    )
    # teachers see no amounts (README): in forms, read, read_group and exports
    price_per_hour = fields.Monetary(string="Price per hour", tracking=True, groups=FINANCE_READERS)
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Invoiced product",
        ondelete="restrict",
        check_company=True,
        domain=[("type", "=", "service")],
        help="Service product used on the invoices of this course's enrolments. "
        "Created automatically when left empty.",
    )
    fee_ids = fields.One2many(
        comodel_name="training.course.fee",
        inverse_name="course_id",
        string="Fees",
        copy=True,
        help="Material and service fees invoiced with every enrolment, and whether a "
        "refund gives them back.",
    )
    class_ids = fields.One2many(
        comodel_name="training.class", inverse_name="course_id", string="Classes"
    )
    description = fields.Html()

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "The course code must be unique per campus.",
        ),
    ]

    @api.constrains("lesson_duration", "price_per_hour")
    def _check_amounts(self):
        for course in self:
            if course.lesson_duration <= 0:
                raise ValidationError(self.env._("The lesson duration must be positive."))
            if course.price_per_hour < 0:
                raise ValidationError(self.env._("The price per hour cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        courses = super().create(vals_list)
        courses.filtered(lambda c: not c.product_id)._create_product()
        return courses

    def _prepare_product_vals(self):
        self.ensure_one()
        uom_hour = self.env.ref("uom.product_uom_hour", raise_if_not_found=False)
        vals = {
            "name": self.name,
            "default_code": self.code,
            "type": "service",
            "list_price": self.price_per_hour,
            "company_id": self.company_id.id,
            "sale_ok": True,
        }
        if uom_hour:
            vals.update(uom_id=uom_hour.id, uom_po_id=uom_hour.id)
        return vals

    def _create_product(self):
        products = (
            self.env["product.product"]
            .sudo()
            .create([course._prepare_product_vals() for course in self])
        )
        for course, product in zip(self, products, strict=True):
            course.product_id = product


class TrainingCourseFee(models.Model):
    _name = "training.course.fee"
    _inherit = ["training.value.mixin"]
    _value_bounds = {"amount": (0, 1000000)}
    _description = "Course Fee"
    _order = "course_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    course_id = fields.Many2one(
        comodel_name="training.course", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="course_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="course_id.currency_id")
    product_id = fields.Many2one(
        comodel_name="product.product",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        groups=FINANCE_READERS,
    )
    refundable = fields.Boolean(
        help="Left unticked, this fee is deducted from refunds (material used, service fee)."
    )

    @api.depends("product_id")
    def _compute_amount(self):
        for fee in self:
            fee.amount = fee.product_id.lst_price

    @api.constrains("amount")
    def _check_amount(self):
        if any(fee.amount < 0 for fee in self):
            raise ValidationError(self.env._("A fee cannot be negative."))
